using System.Globalization;
using System.Text.Json;

namespace Strom.ProtocolGen;

/// <summary>C# types, defaults and default checks for JSON field types.</summary>
internal sealed partial class MessageEmitter
{
    private string Qualified(string structName) => $"{_message.Name}.{_structs[structName].ClassName}";

    private string ElemType(FieldType t) => t.Kind switch
    {
        Kind.Int8 => "sbyte",
        Kind.Int16 => "short",
        Kind.Int32 => "int",
        Kind.Int64 => "long",
        Kind.UInt16 => "ushort",
        Kind.UInt32 => "uint",
        Kind.Float64 => "double",
        Kind.Bool => "bool",
        Kind.Uuid => "Uuid",
        Kind.String => "string",
        Kind.Bytes => "byte[]",
        Kind.Records => "ReadOnlyMemory<byte>?",
        Kind.Struct => _structs[t.StructName!].ClassName,
        _ => throw new InvalidDataException($"Unsupported element type {t.Kind}."),
    };

    private string PropType(FieldSpec f)
    {
        var q = f.IsNullable ? "?" : "";
        return f.Type.Kind switch
        {
            Kind.String or Kind.Bytes or Kind.Struct => ElemType(f.Type) + q,
            Kind.Records => "ReadOnlyMemory<byte>?",
            Kind.Array => $"List<{ElemType(f.Type.Element!)}>{q}",
            _ => ElemType(f.Type),
        };
    }

    private static string Scalar(FieldType t) => t.Kind switch
    {
        Kind.Int8 => "Int8",
        Kind.Int16 => "Int16",
        Kind.Int32 => "Int32",
        Kind.Int64 => "Int64",
        Kind.UInt16 => "UInt16",
        Kind.UInt32 => "UInt32",
        Kind.Float64 => "Float64",
        Kind.Bool => "Bool",
        Kind.Uuid => "Uuid",
        _ => throw new InvalidDataException($"{t.Kind} is not a scalar."),
    };

    private static bool IsNullDefault(FieldSpec f) =>
        f.Default is { } d && (d.ValueKind == JsonValueKind.Null || d.ValueKind == JsonValueKind.String && d.GetString() == "null");

    private static string? DefaultText(FieldSpec f) => f.Default is not { } d ? null : d.ValueKind switch
    {
        JsonValueKind.String => d.GetString(),
        JsonValueKind.Number => d.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private string DefaultExpr(FieldSpec f)
    {
        var text = DefaultText(f);
        switch (f.Type.Kind)
        {
            case Kind.Int8 or Kind.Int16 or Kind.Int32 or Kind.Int64 or Kind.UInt16 or Kind.UInt32:
                return string.IsNullOrEmpty(text) ? "0" : IntegerLiteral(text);
            case Kind.Float64:
                return string.IsNullOrEmpty(text) ? "0.0" : double.Parse(text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture) + "d";
            case Kind.Bool:
                return string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) ? "true" : "false";
            case Kind.Uuid:
                return "Uuid.Zero";
            case Kind.String:
                return IsNullDefault(f) ? NullOrFail(f) : JsonSerializer.Serialize(text ?? "");
            case Kind.Bytes:
                return IsNullDefault(f) ? NullOrFail(f) : "global::System.Array.Empty<byte>()";
            case Kind.Records:
                return "null";
            case Kind.Struct:
                return IsNullDefault(f) ? NullOrFail(f) : $"new {Qualified(f.Type.StructName!)}()";
            default:
                return IsNullDefault(f) ? NullOrFail(f) : "new()";
        }
    }

    private static string NullOrFail(FieldSpec f) =>
        f.IsNullable ? "null" : throw new InvalidDataException($"{f.Name}: default null on a non-nullable field.");

    private static string IntegerLiteral(string text)
    {
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        var value = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(digits, CultureInfo.InvariantCulture);
        return (negative ? -value : value).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A C# condition that is true when <paramref name="x"/> differs from the field's default.</summary>
    private string NotDefault(FieldSpec f, string x)
    {
        var nullDefault = IsNullDefault(f);
        return f.Type.Kind switch
        {
            Kind.Uuid => $"{x} != Uuid.Zero",
            Kind.String => nullDefault ? $"{x} is not null" : $"!string.Equals({x}, {DefaultExpr(f)}, StringComparison.Ordinal)",
            Kind.Bytes => nullDefault ? $"{x} is not null" : f.IsNullable ? $"{x} is not {{ Length: 0 }}" : $"{x} is {{ Length: > 0 }}",
            Kind.Records => $"{x} is not null",
            Kind.Struct => nullDefault ? $"{x} is not null" : f.IsNullable ? $"{x} is null || !{x}.HasOnlyDefaults()" : $"{x}?.HasOnlyDefaults() == false",
            Kind.Array => nullDefault ? $"{x} is not null" : f.IsNullable ? $"{x} is not {{ Count: 0 }}" : $"{x} is {{ Count: > 0 }}",
            _ => $"{x} != {DefaultExpr(f)}",
        };
    }
}
