using System.Text.Json;
using Strom.Avro.Generic;

namespace Strom.Avro;

/// <summary>
/// Field defaults are JSON (spec "Complex Types", table of default values): bytes and fixed are
/// strings whose code points 0-255 are the bytes, a union's default belongs to its first branch,
/// and a record default is an object giving every field without a default of its own.
/// </summary>
public static class DefaultValues
{
    public static bool IsValid(Schema schema, JsonElement value)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                return value.ValueKind == JsonValueKind.Null;
            case AvroType.Boolean:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
            case AvroType.Int:
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _);
            case AvroType.Long:
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _);
            case AvroType.Float:
            case AvroType.Double:
                return value.ValueKind == JsonValueKind.Number
                    || (value.ValueKind == JsonValueKind.String && value.GetString() is "NaN" or "Infinity" or "-Infinity");
            case AvroType.Bytes:
                return value.ValueKind == JsonValueKind.String;
            case AvroType.Fixed:
                return value.ValueKind == JsonValueKind.String && value.GetString() is { } s && IsLatin1(s) && s.Length == ((FixedSchema)schema).Size;
            case AvroType.String:
                return value.ValueKind == JsonValueKind.String;
            case AvroType.Enum:
                return value.ValueKind == JsonValueKind.String && ((EnumSchema)schema).IndexOf(value.GetString()!) >= 0;
            case AvroType.Array:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return false;
                }
                var items = ((ArraySchema)schema).Items;
                foreach (var item in value.EnumerateArray())
                {
                    if (!IsValid(items, item))
                    {
                        return false;
                    }
                }
                return true;
            case AvroType.Map:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                var values = ((MapSchema)schema).Values;
                foreach (var entry in value.EnumerateObject())
                {
                    if (!IsValid(values, entry.Value))
                    {
                        return false;
                    }
                }
                return true;
            case AvroType.Union:
                var branches = ((UnionSchema)schema).Branches;
                return branches.Count > 0 && IsValid(branches[0], value);
            case AvroType.Record:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                foreach (var field in ((RecordSchema)schema).Fields)
                {
                    if (value.TryGetProperty(field.Name, out var fieldValue) ? !IsValid(field.Schema, fieldValue) : !field.HasDefault)
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>Converts a default (already validated) into generic data.</summary>
    public static object? ToDatum(Schema schema, JsonElement value)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                return null;
            case AvroType.Boolean:
                return value.GetBoolean();
            case AvroType.Int:
                return value.GetInt32();
            case AvroType.Long:
                return value.GetInt64();
            case AvroType.Float:
                return value.ValueKind == JsonValueKind.String ? float.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetSingle();
            case AvroType.Double:
                return value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetDouble();
            case AvroType.Bytes:
                return Latin1(value.GetString()!);
            case AvroType.Fixed:
                return new GenericFixed((FixedSchema)schema, Latin1(value.GetString()!));
            case AvroType.String:
                return value.GetString();
            case AvroType.Enum:
                return new GenericEnum((EnumSchema)schema, value.GetString()!);
            case AvroType.Array:
                var items = ((ArraySchema)schema).Items;
                var list = new List<object?>(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    list.Add(ToDatum(items, item));
                }
                return list;
            case AvroType.Map:
                var values = ((MapSchema)schema).Values;
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var entry in value.EnumerateObject())
                {
                    map[entry.Name] = ToDatum(values, entry.Value);
                }
                return map;
            case AvroType.Union:
                return ToDatum(((UnionSchema)schema).Branches[0], value);
            case AvroType.Record:
                var recordSchema = (RecordSchema)schema;
                var record = new GenericRecord(recordSchema);
                foreach (var field in recordSchema.Fields)
                {
                    record[field.Position] = value.TryGetProperty(field.Name, out var fieldValue)
                        ? ToDatum(field.Schema, fieldValue)
                        : ToDatum(field.Schema, field.Default!.Value);
                }
                return record;
            default:
                return ThrowHelper.Data<object?>($"No default conversion for {schema.Type}");
        }
    }

    private static bool IsLatin1(string s)
    {
        foreach (var c in s)
        {
            if (c > 0xFF)
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] Latin1(string s)
    {
        var bytes = new byte[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            bytes[i] = (byte)s[i];
        }
        return bytes;
    }
}
