using System.Text.Json;

namespace Strom.Avro;

/// <summary>
/// Logical types (spec "Logical Types"). An annotation that does not fit its base type (decimal
/// with scale above precision, date on a string, ...) is ignored: the schema is read as its base
/// type, and the attributes stay as plain properties.
/// </summary>
internal static class LogicalTypes
{
    public static LogicalType? FromSchema(Schema schema, JsonElement json)
    {
        if (!json.TryGetProperty("logicalType", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var name = nameElement.GetString()!;
        var type = schema.Type;
        return name switch
        {
            LogicalType.Decimal => Decimal(schema, json),
            LogicalType.Uuid when type == AvroType.String || schema is FixedSchema { Size: 16 } => new LogicalType(name),
            LogicalType.Date or LogicalType.TimeMillis when type == AvroType.Int => new LogicalType(name),
            LogicalType.TimeMicros or LogicalType.TimestampMillis or LogicalType.TimestampMicros
                or LogicalType.LocalTimestampMillis or LogicalType.LocalTimestampMicros when type == AvroType.Long => new LogicalType(name),
            LogicalType.Duration when schema is FixedSchema { Size: 12 } => new LogicalType(name),
            _ => null,
        };
    }

    private static LogicalType? Decimal(Schema schema, JsonElement json)
    {
        if (schema.Type is not (AvroType.Bytes or AvroType.Fixed))
        {
            return null;
        }
        if (!json.TryGetProperty("precision", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var precision) || precision <= 0)
        {
            return null;
        }
        var scale = 0;
        if (json.TryGetProperty("scale", out var s) && (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out scale)))
        {
            return null;
        }
        if (scale < 0 || scale > precision)
        {
            return null;
        }
        if (schema is FixedSchema fixedSchema && precision > MaxPrecision(fixedSchema.Size))
        {
            return null;
        }
        return new LogicalType(LogicalType.Decimal, precision, scale);
    }

    /// <summary>Most decimal digits a two's-complement number of <paramref name="size"/> bytes holds: floor(log10(2^(8n-1) - 1)).</summary>
    public static int MaxPrecision(int size) => size <= 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Pow(2, (8.0 * size) - 1) - 1));
}
