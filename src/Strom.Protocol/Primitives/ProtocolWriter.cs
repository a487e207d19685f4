using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Strom.Protocol.Primitives;

/// <summary>
/// Big-endian writers for the protocol guide's field types, straight into an
/// <see cref="IBufferWriter{T}"/>. Length prefixes mirror <see cref="ProtocolReader"/>: int16
/// (string) or int32 (bytes, arrays) with -1 for null, or compact (varint of length + 1, 0 = null).
/// Null given for a version where the field is not nullable is written as the empty value.
/// </summary>
public static class ProtocolWriter
{
    public static void WriteInt8(IBufferWriter<byte> writer, sbyte value)
    {
        writer.GetSpan(1)[0] = (byte)value;
        writer.Advance(1);
    }

    public static void WriteBool(IBufferWriter<byte> writer, bool value)
    {
        writer.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        writer.Advance(1);
    }

    public static void WriteInt16(IBufferWriter<byte> writer, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void WriteUInt16(IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void WriteInt32(IBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void WriteUInt32(IBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void WriteInt64(IBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public static void WriteFloat64(IBufferWriter<byte> writer, double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public static void WriteUuid(IBufferWriter<byte> writer, Uuid value)
    {
        value.Write(writer.GetSpan(Uuid.Size));
        writer.Advance(Uuid.Size);
    }

    public static void WriteUnsignedVarInt(IBufferWriter<byte> writer, uint value)
    {
        var written = VarInt.WriteUnsigned(writer.GetSpan(VarInt.MaxVarIntBytes), value);
        writer.Advance(written);
    }

    public static void WriteUnsignedVarLong(IBufferWriter<byte> writer, ulong value)
    {
        var written = VarInt.WriteUnsigned(writer.GetSpan(VarInt.MaxVarLongBytes), value);
        writer.Advance(written);
    }

    public static void WriteVarInt(IBufferWriter<byte> writer, int value) => WriteUnsignedVarInt(writer, VarInt.ZigZag(value));

    public static void WriteVarLong(IBufferWriter<byte> writer, long value) => WriteUnsignedVarLong(writer, VarInt.ZigZag(value));

    /// <summary>Length prefix; <paramref name="length"/> -1 writes null (or 0 where null is not allowed).</summary>
    public static void WriteLength(IBufferWriter<byte> writer, int length, bool compact, bool wide, bool nullable)
    {
        if (length < 0 && !nullable)
        {
            length = 0;
        }
        if (compact)
        {
            WriteUnsignedVarInt(writer, (uint)(length + 1));
        }
        else if (wide)
        {
            WriteInt32(writer, length);
        }
        else
        {
            WriteInt16(writer, checked((short)length));
        }
    }

    public static void WriteArrayLength(IBufferWriter<byte> writer, int count, bool compact, bool nullable) =>
        WriteLength(writer, count, compact, wide: true, nullable);

    public static void WriteString(IBufferWriter<byte> writer, string? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            WriteLength(writer, -1, compact, wide: false, nullable);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(writer, length, compact, wide: false, nullable);
        if (length > 0)
        {
            var written = Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
            writer.Advance(written);
        }
    }

    public static void WriteBytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> value, bool compact)
    {
        WriteLength(writer, value.Length, compact, wide: true, nullable: false);
        writer.Write(value);
    }

    public static void WriteNullableBytes(IBufferWriter<byte> writer, byte[]? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            WriteLength(writer, -1, compact, wide: true, nullable);
            return;
        }
        WriteBytes(writer, value, compact);
    }

    public static void WriteRecords(IBufferWriter<byte> writer, ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(writer, -1, compact, wide: true, nullable: true);
            return;
        }
        WriteBytes(writer, value.Value.Span, compact);
    }

    /// <summary>Size of a string's UTF-8 bytes plus its compact length prefix (tagged field sizes).</summary>
    public static int SizeOfCompactString(string? value)
    {
        if (value is null)
        {
            return 1;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        return VarInt.SizeOfUnsigned((uint)(length + 1)) + length;
    }
}
