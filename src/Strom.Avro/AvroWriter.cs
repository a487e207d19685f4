using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Strom.Avro.Generic;
using Strom.Protocol.Primitives;

namespace Strom.Avro;

/// <summary>
/// Avro binary encoding of generic data (spec "Binary Encoding"): int and long as zig-zag varints,
/// float and double little-endian IEEE 754, bytes and string as a long length then the bytes,
/// records as their fields in order, enums as the symbol's int index, arrays and maps as blocks
/// (a long count, the items, ... ending with a zero count; this writer emits one block), unions
/// as the long branch index then the value, fixed as its bytes alone.
/// </summary>
public static class AvroWriter
{
    public static byte[] Encode(Schema schema, object? datum)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(buffer, schema, datum);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, Schema schema, object? datum)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                if (datum is not null)
                {
                    Mismatch(schema, datum);
                }
                return;
            case AvroType.Boolean:
                var span = output.GetSpan(1);
                span[0] = datum is bool b ? (byte)(b ? 1 : 0) : Mismatch<byte>(schema, datum);
                output.Advance(1);
                return;
            case AvroType.Int:
                WriteLong(output, datum is int i ? i : Mismatch<int>(schema, datum));
                return;
            case AvroType.Long:
                WriteLong(output, datum switch { long l => l, int i2 => i2, _ => Mismatch<long>(schema, datum) });
                return;
            case AvroType.Float:
                var f = datum switch { float x => x, int x => x, long x => x, _ => Mismatch<float>(schema, datum) };
                BinaryPrimitives.WriteSingleLittleEndian(output.GetSpan(4), f);
                output.Advance(4);
                return;
            case AvroType.Double:
                var d = datum switch { double x => x, float x => x, int x => x, long x => x, _ => Mismatch<double>(schema, datum) };
                BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), d);
                output.Advance(8);
                return;
            case AvroType.Bytes:
                var bytes = datum as byte[] ?? Mismatch<byte[]>(schema, datum);
                WriteLong(output, bytes.Length);
                output.Write(bytes);
                return;
            case AvroType.String:
                WriteString(output, datum as string ?? Mismatch<string>(schema, datum));
                return;
            case AvroType.Fixed:
                var fixedSchema = (FixedSchema)schema;
                var fixedBytes = datum switch { GenericFixed g => g.Value, byte[] raw => raw, _ => Mismatch<byte[]>(schema, datum) };
                if (fixedBytes.Length != fixedSchema.Size)
                {
                    ThrowHelper.Data($"Fixed {fixedSchema.FullName} needs {fixedSchema.Size} bytes, got {fixedBytes.Length}");
                }
                output.Write(fixedBytes);
                return;
            case AvroType.Enum:
                var enumSchema = (EnumSchema)schema;
                var symbol = datum switch { GenericEnum e => e.Symbol, string s => s, _ => Mismatch<string>(schema, datum) };
                var index = enumSchema.IndexOf(symbol);
                if (index < 0)
                {
                    ThrowHelper.Data($"{symbol} is not a symbol of enum {enumSchema.FullName}");
                }
                WriteLong(output, index);
                return;
            case AvroType.Record:
                var recordSchema = (RecordSchema)schema;
                if (datum is not GenericRecord record || record.Schema.Fields.Count != recordSchema.Fields.Count)
                {
                    Mismatch(schema, datum);
                    return;
                }
                var fields = recordSchema.Fields;
                for (var k = 0; k < fields.Count; k++)
                {
                    Write(output, fields[k].Schema, record[k]);
                }
                return;
            case AvroType.Array:
                var items = ((ArraySchema)schema).Items;
                var list = datum as IList<object?> ?? Mismatch<IList<object?>>(schema, datum);
                if (list.Count > 0)
                {
                    WriteLong(output, list.Count);
                    for (var k = 0; k < list.Count; k++)
                    {
                        Write(output, items, list[k]);
                    }
                }
                WriteLong(output, 0);
                return;
            case AvroType.Map:
                var values = ((MapSchema)schema).Values;
                var map = datum as IDictionary<string, object?> ?? Mismatch<IDictionary<string, object?>>(schema, datum);
                if (map.Count > 0)
                {
                    WriteLong(output, map.Count);
                    foreach (var (key, value) in map)
                    {
                        WriteString(output, key);
                        Write(output, values, value);
                    }
                }
                WriteLong(output, 0);
                return;
            case AvroType.Union:
                var union = (UnionSchema)schema;
                var branch = ResolveBranch(union, datum);
                if (branch < 0)
                {
                    Mismatch(schema, datum);
                }
                WriteLong(output, branch);
                Write(output, union.Branches[branch], datum);
                return;
        }
    }

    /// <summary>The union branch a value belongs to: the first whose type holds it exactly, else the first it promotes to; -1 if none.</summary>
    public static int ResolveBranch(UnionSchema union, object? datum)
    {
        var branches = union.Branches;
        for (var i = 0; i < branches.Count; i++)
        {
            if (HoldsExactly(branches[i], datum))
            {
                return i;
            }
        }
        for (var i = 0; i < branches.Count; i++)
        {
            var promotes = datum switch
            {
                int => branches[i].Type is AvroType.Long or AvroType.Float or AvroType.Double,
                long => branches[i].Type is AvroType.Float or AvroType.Double,
                float => branches[i].Type == AvroType.Double,
                string s => branches[i] is EnumSchema e && e.IndexOf(s) >= 0,
                byte[] raw => branches[i] is FixedSchema x && x.Size == raw.Length,
                _ => false,
            };
            if (promotes)
            {
                return i;
            }
        }
        return -1;
    }

    private static bool HoldsExactly(Schema schema, object? datum) => datum switch
    {
        null => schema.Type == AvroType.Null,
        bool => schema.Type == AvroType.Boolean,
        int => schema.Type == AvroType.Int,
        long => schema.Type == AvroType.Long,
        float => schema.Type == AvroType.Float,
        double => schema.Type == AvroType.Double,
        byte[] => schema.Type == AvroType.Bytes,
        string => schema.Type == AvroType.String,
        GenericRecord r => schema is RecordSchema rs && rs.FullName == r.Schema.FullName,
        GenericEnum e => schema is EnumSchema es && es.FullName == e.Schema.FullName,
        GenericFixed x => schema is FixedSchema xs && xs.FullName == x.Schema.FullName,
        IDictionary<string, object?> => schema.Type == AvroType.Map,
        IList<object?> => schema.Type == AvroType.Array,
        _ => false,
    };

    public static void WriteLong(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(VarInt.MaxVarLongBytes);
        output.Advance(VarInt.Write(span, value));
    }

    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLong(output, length);
        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    private static void Mismatch(Schema schema, object? datum) => Mismatch<int>(schema, datum);

    private static T Mismatch<T>(Schema schema, object? datum) =>
        ThrowHelper.Data<T>($"Not a {DescribeSchema(schema)}: {GenericData.ToDisplayString(datum)} ({datum?.GetType().Name ?? "null"})");

    private static string DescribeSchema(Schema schema) => schema is NamedSchema n ? $"{schema.TypeName} {n.FullName}" : schema.TypeName;
}
