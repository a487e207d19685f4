using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Primitives;

namespace Strom.SchemaRegistry.Serdes;

/// <summary>A value that cannot be serialized or deserialized: a bad header, an unknown schema, a value that does not fit its schema.</summary>
public sealed class SchemaSerializationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Confluent's wire format for schema-registry serdes: byte 0 is the magic 0, bytes 1-4 the schema
/// id (int32 big-endian), then the payload. Protobuf payloads start with the message indexes: the
/// path of the message type in its file (zig-zag varints: a count, then each index), with [0]
/// (the first top-level message) written as the single byte 0.
/// </summary>
public static class WireFormat
{
    public const byte MagicByte = 0;
    public const int HeaderSize = 5;

    /// <summary>More indexes than any real nesting: a larger count is corrupt data, not an allocation to make.</summary>
    public const int MaxMessageIndexes = 256;

    public static void WriteHeader(IBufferWriter<byte> output, int schemaId)
    {
        var span = output.GetSpan(HeaderSize);
        span[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], schemaId);
        output.Advance(HeaderSize);
    }

    /// <summary>The schema id of a serialized value; throws on a missing or unknown magic byte.</summary>
    public static int ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
        {
            throw new SchemaSerializationException($"Expected at least {HeaderSize} bytes (magic byte and schema id), got {data.Length}");
        }
        if (data[0] != MagicByte)
        {
            throw new SchemaSerializationException($"Unknown magic byte {data[0]}: the data was not written by a schema registry serializer");
        }
        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }

    public static void WriteMessageIndexes(IBufferWriter<byte> output, IReadOnlyList<int> indexes)
    {
        if (indexes.Count == 1 && indexes[0] == 0)
        {
            WriteZigZag(output, 0);
            return;
        }
        WriteZigZag(output, indexes.Count);
        foreach (var index in indexes)
        {
            WriteZigZag(output, index);
        }
    }

    /// <summary>Reads the message indexes at the start of <paramref name="data"/>; <paramref name="consumed"/> is their length in bytes.</summary>
    public static IReadOnlyList<int> ReadMessageIndexes(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        var count = ReadZigZag(data, ref consumed);
        if (count == 0)
        {
            return [0];
        }
        if (count < 0 || count > MaxMessageIndexes)
        {
            throw new SchemaSerializationException($"Invalid message index count {count}");
        }
        var indexes = new int[count];
        for (var i = 0; i < count; i++)
        {
            indexes[i] = ReadZigZag(data, ref consumed);
        }
        return indexes;
    }

    private static void WriteZigZag(IBufferWriter<byte> output, int value) =>
        output.Advance(VarInt.Write(output.GetSpan(VarInt.MaxVarIntBytes), value));

    private static int ReadZigZag(ReadOnlySpan<byte> data, ref int position)
    {
        var n = VarInt.TryRead(data[position..], out int value);
        if (n <= 0)
        {
            throw new SchemaSerializationException(n == 0 ? "Truncated message indexes" : "Malformed varint in message indexes");
        }
        position += n;
        return value;
    }
}
