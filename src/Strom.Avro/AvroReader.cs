using System.Buffers.Binary;
using System.Text;
using Strom.Avro.Generic;
using Strom.Protocol.Primitives;

namespace Strom.Avro;

/// <summary>
/// Decodes Avro binary data (spec "Binary Encoding") into generic data, either with the writer's
/// schema alone or resolved into a reader schema (spec "Schema Resolution": promotions, fields
/// matched by name or alias, defaults for fields the writer lacks, writer fields the reader lacks
/// skipped, enum defaults, union branch selection). Lengths and block counts are checked against
/// the bytes that remain before anything is allocated, so hostile input fails fast.
/// </summary>
public static class AvroReader
{
    /// <summary>Most items accepted in one array or map whose items may encode to zero bytes.</summary>
    public const int MaxZeroSizeItems = 1 << 20;

    /// <summary>Decodes one value written with <paramref name="writer"/>; the whole input must be consumed.</summary>
    public static object? Decode(Schema writer, ReadOnlySpan<byte> data)
    {
        var cursor = new Cursor(data);
        var value = cursor.Read(writer);
        cursor.ExpectEnd();
        return value;
    }

    /// <summary>Decodes one value written with <paramref name="writer"/> into the shape of <paramref name="reader"/>.</summary>
    public static object? Decode(Schema writer, Schema reader, ReadOnlySpan<byte> data)
    {
        var cursor = new Cursor(data);
        var value = cursor.Resolve(writer, reader);
        cursor.ExpectEnd();
        return value;
    }

    /// <summary>Decodes one value from the start of <paramref name="data"/>, reporting how many bytes it took.</summary>
    public static object? Decode(Schema writer, ReadOnlySpan<byte> data, out int consumed)
    {
        var cursor = new Cursor(data);
        var value = cursor.Read(writer);
        consumed = cursor.Position;
        return value;
    }

    private ref struct Cursor(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly int Position => _position;

        private readonly int Remaining => _data.Length - _position;

        public readonly void ExpectEnd()
        {
            if (_position != _data.Length)
            {
                ThrowHelper.Data($"{_data.Length - _position} bytes left over after the Avro value");
            }
        }

        public object? Read(Schema schema)
        {
            switch (schema.Type)
            {
                case AvroType.Null:
                    return null;
                case AvroType.Boolean:
                    return ReadByte() switch
                    {
                        0 => false,
                        1 => true,
                        var other => ThrowHelper.Data<bool>($"Invalid boolean byte {other}"),
                    };
                case AvroType.Int:
                    return ReadInt();
                case AvroType.Long:
                    return ReadLong();
                case AvroType.Float:
                    return BinaryPrimitives.ReadSingleLittleEndian(Take(4));
                case AvroType.Double:
                    return BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
                case AvroType.Bytes:
                    return Take(ReadLength()).ToArray();
                case AvroType.String:
                    return ReadString();
                case AvroType.Fixed:
                    var fixedSchema = (FixedSchema)schema;
                    return new GenericFixed(fixedSchema, Take(fixedSchema.Size).ToArray());
                case AvroType.Enum:
                    var enumSchema = (EnumSchema)schema;
                    var index = ReadInt();
                    return (uint)index < (uint)enumSchema.Symbols.Count
                        ? new GenericEnum(enumSchema, enumSchema.Symbols[index])
                        : ThrowHelper.Data<object>($"Enum index {index} out of range for {enumSchema.FullName}");
                case AvroType.Record:
                    var recordSchema = (RecordSchema)schema;
                    var record = new GenericRecord(recordSchema);
                    var fields = recordSchema.Fields;
                    for (var i = 0; i < fields.Count; i++)
                    {
                        record[i] = Read(fields[i].Schema);
                    }
                    return record;
                case AvroType.Array:
                    return ReadArray(((ArraySchema)schema).Items, null);
                case AvroType.Map:
                    return ReadMap(((MapSchema)schema).Values, null);
                case AvroType.Union:
                    var union = (UnionSchema)schema;
                    var branch = ReadLong();
                    return (ulong)branch < (ulong)union.Branches.Count
                        ? Read(union.Branches[(int)branch])
                        : ThrowHelper.Data<object>($"Union branch {branch} out of range");
                default:
                    return ThrowHelper.Data<object>($"Unknown type {schema.Type}");
            }
        }

        public object? Resolve(Schema writer, Schema reader)
        {
            if (ReferenceEquals(writer, reader))
            {
                return Read(writer);
            }
            if (writer is UnionSchema writerUnion)
            {
                var branch = ReadLong();
                return (ulong)branch < (ulong)writerUnion.Branches.Count
                    ? Resolve(writerUnion.Branches[(int)branch], reader)
                    : ThrowHelper.Data<object>($"Union branch {branch} out of range");
            }
            if (reader is UnionSchema readerUnion)
            {
                var match = FindReaderBranch(readerUnion, writer);
                return match is null
                    ? ThrowHelper.Data<object>($"No branch of the reader union matches writer type {writer.TypeName}")
                    : Resolve(writer, match);
            }
            switch (reader.Type)
            {
                case AvroType.Long when writer.Type == AvroType.Int:
                    return (long)ReadInt();
                case AvroType.Float when writer.Type == AvroType.Int:
                    return (float)ReadInt();
                case AvroType.Float when writer.Type == AvroType.Long:
                    return (float)ReadLong();
                case AvroType.Double when writer.Type is AvroType.Int or AvroType.Long or AvroType.Float:
                    return Convert.ToDouble(Read(writer), System.Globalization.CultureInfo.InvariantCulture);
                case AvroType.Bytes when writer.Type == AvroType.String:
                    return Take(ReadLength()).ToArray();
                case AvroType.String when writer.Type == AvroType.Bytes:
                    return ReadString();
            }
            if (reader.Type != writer.Type)
            {
                return ThrowHelper.Data<object>($"Cannot read {writer.TypeName} data as {reader.TypeName}");
            }
            switch (reader)
            {
                case RecordSchema readerRecord:
                    return ResolveRecord((RecordSchema)writer, readerRecord);
                case EnumSchema readerEnum:
                    var writerEnum = (EnumSchema)writer;
                    var index = ReadInt();
                    if ((uint)index >= (uint)writerEnum.Symbols.Count)
                    {
                        ThrowHelper.Data($"Enum index {index} out of range for {writerEnum.FullName}");
                    }
                    var symbol = writerEnum.Symbols[index];
                    return readerEnum.IndexOf(symbol) >= 0 ? new GenericEnum(readerEnum, symbol)
                        : readerEnum.Default is { } fallback ? new GenericEnum(readerEnum, fallback)
                        : ThrowHelper.Data<object>($"Symbol {symbol} is not in reader enum {readerEnum.FullName}");
                case FixedSchema readerFixed:
                    return ((FixedSchema)writer).Size == readerFixed.Size
                        ? new GenericFixed(readerFixed, Take(readerFixed.Size).ToArray())
                        : ThrowHelper.Data<object>($"Fixed sizes differ for {readerFixed.FullName}");
                case ArraySchema readerArray:
                    return ReadArray(((ArraySchema)writer).Items, readerArray.Items);
                case MapSchema readerMap:
                    return ReadMap(((MapSchema)writer).Values, readerMap.Values);
                default:
                    return Read(writer); // the same primitive type
            }
        }

        private GenericRecord ResolveRecord(RecordSchema writer, RecordSchema reader)
        {
            var record = new GenericRecord(reader);
            Span<bool> set = reader.Fields.Count <= 256 ? stackalloc bool[reader.Fields.Count] : new bool[reader.Fields.Count];
            foreach (var writerField in writer.Fields)
            {
                var readerField = FindReaderField(reader, writerField.Name);
                if (readerField is null)
                {
                    Read(writerField.Schema); // skipped
                    continue;
                }
                record[readerField.Position] = Resolve(writerField.Schema, readerField.Schema);
                set[readerField.Position] = true;
            }
            foreach (var field in reader.Fields)
            {
                if (!set[field.Position])
                {
                    record[field.Position] = field.Default is { } d
                        ? DefaultValues.ToDatum(field.Schema, d)
                        : ThrowHelper.Data<object>($"Reader field {field.Name} of {reader.FullName} is not in the writer's data and has no default");
                }
            }
            return record;
        }

        private static Field? FindReaderField(RecordSchema reader, string writerFieldName)
        {
            if (reader.GetField(writerFieldName) is { } direct)
            {
                return direct;
            }
            foreach (var field in reader.Fields)
            {
                if (field.Aliases.Contains(writerFieldName))
                {
                    return field;
                }
            }
            return null;
        }

        private static Schema? FindReaderBranch(UnionSchema reader, Schema writer)
        {
            foreach (var branch in reader.Branches)
            {
                if (branch.Type == writer.Type && (branch is not NamedSchema named || named.Name == ((NamedSchema)writer).Name
                        || named.Aliases.Contains(((NamedSchema)writer).FullName)))
                {
                    return branch;
                }
            }
            foreach (var branch in reader.Branches)
            {
                if (branch.Type == writer.Type || SchemaCompatibility.CanRead(branch, writer))
                {
                    return branch;
                }
            }
            return null;
        }

        private List<object?> ReadArray(Schema writerItems, Schema? readerItems)
        {
            var list = new List<object?>();
            for (var count = ReadBlockCount(writerItems); count != 0; count = ReadBlockCount(writerItems))
            {
                for (long i = 0; i < count; i++)
                {
                    list.Add(readerItems is null ? Read(writerItems) : Resolve(writerItems, readerItems));
                }
            }
            return list;
        }

        private Dictionary<string, object?> ReadMap(Schema writerValues, Schema? readerValues)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var count = ReadBlockCount(null); count != 0; count = ReadBlockCount(null))
            {
                for (long i = 0; i < count; i++)
                {
                    var key = ReadString();
                    map[key] = readerValues is null ? Read(writerValues) : Resolve(writerValues, readerValues);
                }
            }
            return map;
        }

        /// <summary>A block's item count; a negative count is followed by the block's byte size, which is not needed here.</summary>
        private long ReadBlockCount(Schema? items)
        {
            var count = ReadLong();
            if (count < 0)
            {
                count = count == long.MinValue ? ThrowHelper.Data<long>("Invalid block count") : -count;
                ReadLong();
            }
            if (count > Remaining && (items is null || !CanBeEmpty(items, 0) || count > MaxZeroSizeItems))
            {
                ThrowHelper.Data($"Block of {count} items cannot fit in the {Remaining} bytes left");
            }
            return count;
        }

        private static bool CanBeEmpty(Schema schema, int depth) => schema switch
        {
            { Type: AvroType.Null } => true,
            FixedSchema f => f.Size == 0,
            RecordSchema r => depth < 32 && r.Fields.All(f => CanBeEmpty(f.Schema, depth + 1)),
            _ => false,
        };

        private string ReadString()
        {
            var bytes = Take(ReadLength());
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return ThrowHelper.Data<string>("String is not valid UTF-8");
            }
        }

        private int ReadLength()
        {
            var length = ReadLong();
            if (length < 0 || length > Remaining)
            {
                ThrowHelper.Data($"Length {length} is negative or longer than the {Remaining} bytes left");
            }
            return (int)length;
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > Remaining)
            {
                ThrowHelper.Truncated();
            }
            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        private byte ReadByte()
        {
            if (_position >= _data.Length)
            {
                ThrowHelper.Truncated();
            }
            return _data[_position++];
        }

        private int ReadInt()
        {
            var n = VarInt.TryRead(_data[_position..], out int value);
            return Advance(n, value);
        }

        private long ReadLong()
        {
            var n = VarInt.TryRead(_data[_position..], out long value);
            return Advance(n, value);
        }

        private T Advance<T>(int n, T value)
        {
            if (n == 0)
            {
                ThrowHelper.Truncated();
            }
            if (n < 0)
            {
                ThrowHelper.MalformedVarInt();
            }
            _position += n;
            return value;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
}
