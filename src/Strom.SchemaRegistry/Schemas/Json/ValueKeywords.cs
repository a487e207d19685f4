using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strom.SchemaRegistry.Schemas.Json;

// The keywords that look at one value: type, enum/const, numeric bounds, string length,
// pattern and format. Numbers compare as decimals when both sides fit one (exact for the
// values people write), as doubles otherwise (bignums).

[Flags]
internal enum JsonTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    String = 16,
    Number = 32,
    Integer = 64,
}

internal sealed class TypeKeyword(JsonTypes types, string text, bool lexicalIntegers) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var matches = instance.ValueKind switch
        {
            JsonValueKind.Null => types.HasFlag(JsonTypes.Null),
            JsonValueKind.True or JsonValueKind.False => types.HasFlag(JsonTypes.Boolean),
            JsonValueKind.Object => types.HasFlag(JsonTypes.Object),
            JsonValueKind.Array => types.HasFlag(JsonTypes.Array),
            JsonValueKind.String => types.HasFlag(JsonTypes.String),
            JsonValueKind.Number => types.HasFlag(JsonTypes.Number) || (types.HasFlag(JsonTypes.Integer) && JsonNumber.IsInteger(instance, lexicalIntegers)),
            _ => false,
        };
        return matches || evaluation.Fail($"expected {text}, found {JsonNumber.KindName(instance)}");
    }

    public static JsonTypes Parse(string? name) => name switch
    {
        "null" => JsonTypes.Null,
        "boolean" => JsonTypes.Boolean,
        "object" => JsonTypes.Object,
        "array" => JsonTypes.Array,
        "string" => JsonTypes.String,
        "number" => JsonTypes.Number,
        "integer" => JsonTypes.Integer,
        _ => JsonTypes.None,
    };
}

internal sealed class EnumKeyword(JsonElement[] values, string text) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        foreach (var value in values)
        {
            if (JsonNumber.JsonEquals(value, instance))
            {
                return true;
            }
        }
        return evaluation.Fail(values.Length == 1 && text[0] != '[' ? $"must be {text}" : $"not one of {text}");
    }
}

/// <summary>maximum/minimum/exclusiveMaximum/exclusiveMinimum (draft 4's boolean exclusive flags folded in).</summary>
internal sealed class BoundKeyword(JsonElement limit, bool upper, bool exclusive) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Number)
        {
            return true;
        }
        var order = JsonNumber.Compare(instance, limit);
        var valid = upper ? (exclusive ? order < 0 : order <= 0) : (exclusive ? order > 0 : order >= 0);
        return valid || evaluation.Fail($"{instance.GetRawText()} is {(upper ? exclusive ? "not below" : "above the maximum" : exclusive ? "not above" : "below the minimum")} {limit.GetRawText()}");
    }
}

internal sealed class MultipleOfKeyword(JsonElement divisor) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Number)
        {
            return true;
        }
        bool valid;
        if (instance.TryGetDecimal(out var value) && divisor.TryGetDecimal(out var step) && step != 0)
        {
            valid = value % step == 0;
        }
        else
        {
            var quotient = JsonNumber.ToDouble(instance) / JsonNumber.ToDouble(divisor);
            valid = double.IsFinite(quotient) && Math.Floor(quotient) == quotient;
        }
        return valid || evaluation.Fail($"{instance.GetRawText()} is not a multiple of {divisor.GetRawText()}");
    }
}

/// <summary>minLength/maxLength, counted in Unicode code points as the specification says.</summary>
internal sealed class LengthKeyword(long min, long max) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }
        var text = instance.GetString()!;
        var length = text.Length;
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (char.IsSurrogatePair(text[i], text[i + 1]))
            {
                length--;
                i++;
            }
        }
        return length < min ? evaluation.Fail($"shorter than {min}") : length <= max || evaluation.Fail($"longer than {max}");
    }
}

internal sealed class PatternKeyword(Regex regex, string pattern) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }
        try
        {
            return regex.IsMatch(instance.GetString()!) || evaluation.Fail($"does not match {pattern}");
        }
        catch (RegexMatchTimeoutException)
        {
            return evaluation.Fail($"matching {pattern} took too long");
        }
    }
}

/// <summary>format: an annotation unless the options ask for assertion (then the common formats are checked).</summary>
internal sealed class FormatKeyword(string format) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations) =>
        !evaluation.Options.AssertFormat || instance.ValueKind != JsonValueKind.String
        || JsonSchemaFormats.IsValid(format, instance.GetString()!) || evaluation.Fail($"not a valid {format}");
}

/// <summary>JSON Schema's number semantics over System.Text.Json's raw numbers.</summary>
internal static class JsonNumber
{
    public static double ToDouble(JsonElement number) =>
        number.TryGetDouble(out var value) && double.IsFinite(value) ? value
        : number.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;

    public static int Compare(JsonElement a, JsonElement b) =>
        a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x.CompareTo(y) : ToDouble(a).CompareTo(ToDouble(b));

    /// <summary>Draft 4 calls an integer what is written without a fraction or exponent; later drafts any whole value (1.0 too).</summary>
    public static bool IsInteger(JsonElement number, bool lexical)
    {
        if (lexical)
        {
            var raw = number.GetRawText();
            return raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
        }
        if (number.TryGetInt64(out _))
        {
            return true;
        }
        if (number.TryGetDecimal(out var value))
        {
            return decimal.Truncate(value) == value;
        }
        var d = ToDouble(number);
        return double.IsFinite(d) ? Math.Floor(d) == d : !number.GetRawText().Contains('.', StringComparison.Ordinal);
    }

    /// <summary>JSON equality: numbers by value (1 equals 1.0), objects regardless of member order.</summary>
    public static bool JsonEquals(JsonElement a, JsonElement b)
    {
        var kind = a.ValueKind;
        if (kind != b.ValueKind)
        {
            return false;
        }
        switch (kind)
        {
            case JsonValueKind.Number:
                return Compare(a, b) == 0;
            case JsonValueKind.String:
                return a.ValueEquals(b.GetString());
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }
                using (var left = a.EnumerateArray())
                using (var right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!JsonEquals(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }
                return true;
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !JsonEquals(property.Value, other))
                    {
                        return false;
                    }
                }
                return count == b.EnumerateObject().Count();
            default:
                return true;
        }
    }

    public static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        var k => k.ToString().ToLowerInvariant(),
    };
}
