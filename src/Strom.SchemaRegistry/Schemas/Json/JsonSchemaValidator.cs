using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// Validates a JSON instance against a JSON Schema (drafts 4, 6, 7, 2019-09 and 2020-12 share these
/// keywords; items-as-array and additionalItems are the pre-2020 tuple form, prefixItems the 2020
/// one; a boolean exclusiveMaximum/Minimum is draft 4's). Assertion keywords only: format is an
/// annotation, as the specification's default is. Returns the failures, each with its instance path.
/// </summary>
public static class JsonSchemaValidator
{
    private const int MaxDepth = 256;

    public static IReadOnlyList<string> Validate(JsonSchemaDocument schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, schema.Root, schema.Root, instance, "$", errors, 0);
        return errors;
    }

    private static bool Check(JsonSchemaDocument doc, JsonElement root, JsonElement schema, JsonElement value, string path, List<string> errors, int depth)
    {
        if (depth > MaxDepth)
        {
            errors.Add($"{path}: schema nesting deeper than {MaxDepth} (a $ref cycle?)");
            return false;
        }
        if (schema.ValueKind == JsonValueKind.True)
        {
            return true;
        }
        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return false;
        }
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var start = errors.Count;
        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            if (doc.Resolve(reference.GetString()!, root) is { } target)
            {
                Check(doc, target.DocumentRoot, target.Schema, value, path, errors, depth + 1);
            }
            else
            {
                errors.Add($"{path}: $ref {reference.GetString()} does not resolve");
            }
        }
        foreach (var keyword in schema.EnumerateObject())
        {
            var k = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    if (!(k.ValueKind == JsonValueKind.Array ? k.EnumerateArray().Any(t => IsType(value, t.GetString())) : IsType(value, k.GetString())))
                    {
                        errors.Add($"{path}: expected {k.GetRawText()}, found {Kind(value)}");
                    }
                    break;
                case "enum" when k.ValueKind == JsonValueKind.Array:
                    if (!k.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value)))
                    {
                        errors.Add($"{path}: not one of {k.GetRawText()}");
                    }
                    break;
                case "const":
                    if (!JsonElement.DeepEquals(k, value))
                    {
                        errors.Add($"{path}: must be {k.GetRawText()}");
                    }
                    break;
                case "allOf" or "anyOf" or "oneOf" when k.ValueKind == JsonValueKind.Array:
                    var passed = 0;
                    var inner = new List<string>();
                    foreach (var sub in k.EnumerateArray())
                    {
                        passed += Check(doc, root, sub, value, path, keyword.Name == "allOf" ? errors : inner, depth + 1) ? 1 : 0;
                    }
                    if (keyword.Name == "anyOf" && passed == 0)
                    {
                        errors.Add($"{path}: matches none of anyOf ({string.Join("; ", inner)})");
                    }
                    else if (keyword.Name == "oneOf" && passed != 1)
                    {
                        errors.Add($"{path}: matches {passed} of oneOf, expected exactly 1");
                    }
                    break;
                case "not":
                    if (Check(doc, root, k, value, path, [], depth + 1))
                    {
                        errors.Add($"{path}: must not match {k.GetRawText()}");
                    }
                    break;
                case "if":
                    var branch = Check(doc, root, k, value, path, [], depth + 1) ? "then" : "else";
                    if (schema.TryGetProperty(branch, out var chosen))
                    {
                        Check(doc, root, chosen, value, path, errors, depth + 1);
                    }
                    break;
            }
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                CheckNumber(schema, value.GetDouble(), path, errors);
                break;
            case JsonValueKind.String:
                CheckString(schema, value.GetString()!, path, errors);
                break;
            case JsonValueKind.Array:
                CheckArray(doc, root, schema, value, path, errors, depth);
                break;
            case JsonValueKind.Object:
                CheckObject(doc, root, schema, value, path, errors, depth);
                break;
        }
        return errors.Count == start;
    }

    private static void CheckNumber(JsonElement schema, double number, string path, List<string> errors)
    {
        var exclusiveMaxFlag = schema.TryGetProperty("exclusiveMaximum", out var xmax) && xmax.ValueKind == JsonValueKind.True;
        var exclusiveMinFlag = schema.TryGetProperty("exclusiveMinimum", out var xmin) && xmin.ValueKind == JsonValueKind.True;
        if (Number(schema, "maximum") is { } max && (exclusiveMaxFlag ? number >= max : number > max))
        {
            errors.Add($"{path}: {number} is above the maximum {max}");
        }
        if (Number(schema, "minimum") is { } min && (exclusiveMinFlag ? number <= min : number < min))
        {
            errors.Add($"{path}: {number} is below the minimum {min}");
        }
        if (Number(schema, "exclusiveMaximum") is { } emax && number >= emax)
        {
            errors.Add($"{path}: {number} is not below {emax}");
        }
        if (Number(schema, "exclusiveMinimum") is { } emin && number <= emin)
        {
            errors.Add($"{path}: {number} is not above {emin}");
        }
        if (Number(schema, "multipleOf") is { } step && step > 0)
        {
            var quotient = number / step;
            if (Math.Abs(quotient - Math.Round(quotient)) > 1e-9)
            {
                errors.Add($"{path}: {number} is not a multiple of {step}");
            }
        }
    }

    private static void CheckString(JsonElement schema, string text, string path, List<string> errors)
    {
        var length = new StringInfo(text).LengthInTextElements;
        if (Number(schema, "maxLength") is { } max && length > max)
        {
            errors.Add($"{path}: longer than {max}");
        }
        if (Number(schema, "minLength") is { } min && length < min)
        {
            errors.Add($"{path}: shorter than {min}");
        }
        if (schema.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String
            && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{path}: does not match {pattern.GetString()}");
        }
    }

    private static void CheckArray(JsonSchemaDocument doc, JsonElement root, JsonElement schema, JsonElement array, string path, List<string> errors, int depth)
    {
        var items = array.EnumerateArray().ToList();
        var prefix = 0;
        if (schema.TryGetProperty("prefixItems", out var prefixItems) && prefixItems.ValueKind == JsonValueKind.Array)
        {
            prefix = prefixItems.GetArrayLength();
            for (var i = 0; i < Math.Min(prefix, items.Count); i++)
            {
                Check(doc, root, prefixItems[i], items[i], $"{path}[{i}]", errors, depth + 1);
            }
        }
        if (schema.TryGetProperty("items", out var each))
        {
            if (each.ValueKind == JsonValueKind.Array)
            {
                prefix = each.GetArrayLength();
                for (var i = 0; i < Math.Min(prefix, items.Count); i++)
                {
                    Check(doc, root, each[i], items[i], $"{path}[{i}]", errors, depth + 1);
                }
                if (schema.TryGetProperty("additionalItems", out var additional))
                {
                    for (var i = prefix; i < items.Count; i++)
                    {
                        Check(doc, root, additional, items[i], $"{path}[{i}]", errors, depth + 1);
                    }
                }
            }
            else
            {
                for (var i = prefix; i < items.Count; i++)
                {
                    Check(doc, root, each, items[i], $"{path}[{i}]", errors, depth + 1);
                }
            }
        }
        if (Number(schema, "maxItems") is { } max && items.Count > max)
        {
            errors.Add($"{path}: more than {max} items");
        }
        if (Number(schema, "minItems") is { } min && items.Count < min)
        {
            errors.Add($"{path}: fewer than {min} items");
        }
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            for (var i = 0; i < items.Count; i++)
            {
                for (var j = i + 1; j < items.Count; j++)
                {
                    if (JsonElement.DeepEquals(items[i], items[j]))
                    {
                        errors.Add($"{path}: items {i} and {j} are equal");
                    }
                }
            }
        }
        if (schema.TryGetProperty("contains", out var contains) && !items.Any(item => Check(doc, root, contains, item, path, [], depth + 1)))
        {
            errors.Add($"{path}: no item matches contains");
        }
    }

    private static void CheckObject(JsonSchemaDocument doc, JsonElement root, JsonElement schema, JsonElement obj, string path, List<string> errors, int depth)
    {
        var names = obj.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()).Where(n => n is not null && !names.Contains(n)))
            {
                errors.Add($"{path}: required property {name} is missing");
            }
        }
        if (Number(schema, "maxProperties") is { } max && names.Count > max)
        {
            errors.Add($"{path}: more than {max} properties");
        }
        if (Number(schema, "minProperties") is { } min && names.Count < min)
        {
            errors.Add($"{path}: fewer than {min} properties");
        }
        var hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        var hasPatterns = schema.TryGetProperty("patternProperties", out var patterns) && patterns.ValueKind == JsonValueKind.Object;
        var hasAdditional = schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in obj.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            var matched = false;
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                matched = true;
                Check(doc, root, propertySchema, property.Value, at, errors, depth + 1);
            }
            if (hasPatterns)
            {
                foreach (var pattern in patterns.EnumerateObject())
                {
                    if (Regex.IsMatch(property.Name, pattern.Name, RegexOptions.None, TimeSpan.FromSeconds(1)))
                    {
                        matched = true;
                        Check(doc, root, pattern.Value, property.Value, at, errors, depth + 1);
                    }
                }
            }
            if (!matched && hasAdditional)
            {
                Check(doc, root, additional, property.Value, at, errors, depth + 1);
            }
            if (schema.TryGetProperty("propertyNames", out var propertyNames))
            {
                using var nameDocument = JsonDocument.Parse(JsonSerializer.Serialize(property.Name));
                Check(doc, root, propertyNames, nameDocument.RootElement, at, errors, depth + 1);
            }
        }
        foreach (var keyword in new[] { "dependencies", "dependentRequired", "dependentSchemas" })
        {
            if (!schema.TryGetProperty(keyword, out var dependencies) || dependencies.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            foreach (var dependency in dependencies.EnumerateObject().Where(d => names.Contains(d.Name)))
            {
                if (dependency.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var needed in dependency.Value.EnumerateArray().Select(n => n.GetString()).Where(n => n is not null && !names.Contains(n)))
                    {
                        errors.Add($"{path}: property {dependency.Name} requires {needed}");
                    }
                }
                else
                {
                    Check(doc, root, dependency.Value, obj, path, errors, depth + 1);
                }
            }
        }
    }

    private static double? Number(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static bool IsType(JsonElement value, string? type) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && (value.TryGetInt64(out _) || Math.Floor(value.GetDouble()) == value.GetDouble()),
        _ => false,
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        var k => k.ToString().ToLowerInvariant(),
    };
}
