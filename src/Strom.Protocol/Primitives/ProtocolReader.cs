using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Strom.Protocol.Primitives;

/// <summary>
/// Resumable readers for the protocol guide's field types ("Protocol Primitive Types").
/// Each returns false when the input ends before the value does (the caller retries with more
/// bytes) and throws <see cref="ProtocolException"/> for input that can never be valid.
/// A declared length is checked against <c>reader.Remaining</c> before anything is allocated.
/// Non-flexible versions use int16 (string) / int32 (bytes, arrays) lengths with -1 for null;
/// flexible ("compact") versions use an unsigned varint of length + 1 with 0 for null.
/// </summary>
public static class ProtocolReader
{
    public static bool TryReadInt8(ref SequenceReader<byte> reader, out sbyte value)
    {
        if (reader.TryRead(out var b))
        {
            value = (sbyte)b;
            return true;
        }
        value = 0;
        return false;
    }

    public static bool TryReadBool(ref SequenceReader<byte> reader, out bool value)
    {
        var ok = reader.TryRead(out var b);
        value = b != 0;
        return ok;
    }

    public static bool TryReadInt16(ref SequenceReader<byte> reader, out short value) =>
        reader.TryReadBigEndian(out value);

    public static bool TryReadInt32(ref SequenceReader<byte> reader, out int value) =>
        reader.TryReadBigEndian(out value);

    public static bool TryReadInt64(ref SequenceReader<byte> reader, out long value) =>
        reader.TryReadBigEndian(out value);

    public static bool TryReadUInt16(ref SequenceReader<byte> reader, out ushort value)
    {
        var ok = reader.TryReadBigEndian(out short raw);
        value = (ushort)raw;
        return ok;
    }

    public static bool TryReadUInt32(ref SequenceReader<byte> reader, out uint value)
    {
        var ok = reader.TryReadBigEndian(out int raw);
        value = (uint)raw;
        return ok;
    }

    public static bool TryReadFloat64(ref SequenceReader<byte> reader, out double value)
    {
        var ok = reader.TryReadBigEndian(out long raw);
        value = BitConverter.Int64BitsToDouble(raw);
        return ok;
    }

    public static bool TryReadUuid(ref SequenceReader<byte> reader, out Uuid value)
    {
        if (reader.TryReadBigEndian(out long high) && reader.TryReadBigEndian(out long low))
        {
            value = new Uuid(high, low);
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Unsigned LEB128, at most 5 bytes.</summary>
    public static bool TryReadUnsignedVarInt(ref SequenceReader<byte> reader, out uint value)
    {
        uint result = 0;
        for (var i = 0; i < VarInt.MaxVarIntBytes; i++)
        {
            if (!reader.TryRead(out var b))
            {
                value = 0;
                return false;
            }
            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                return true;
            }
        }
        ProtocolThrow.VarIntTooLong();
        value = 0;
        return false;
    }

    /// <summary>Unsigned LEB128, at most 10 bytes.</summary>
    public static bool TryReadUnsignedVarLong(ref SequenceReader<byte> reader, out ulong value)
    {
        ulong result = 0;
        for (var i = 0; i < VarInt.MaxVarLongBytes; i++)
        {
            if (!reader.TryRead(out var b))
            {
                value = 0;
                return false;
            }
            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                return true;
            }
        }
        ProtocolThrow.VarIntTooLong();
        value = 0;
        return false;
    }

    /// <summary>Zig-zag signed varint.</summary>
    public static bool TryReadVarInt(ref SequenceReader<byte> reader, out int value)
    {
        var ok = TryReadUnsignedVarInt(ref reader, out var raw);
        value = VarInt.UnZigZag(raw);
        return ok;
    }

    /// <summary>Zig-zag signed varlong.</summary>
    public static bool TryReadVarLong(ref SequenceReader<byte> reader, out long value)
    {
        var ok = TryReadUnsignedVarLong(ref reader, out var raw);
        value = VarInt.UnZigZag(raw);
        return ok;
    }

    /// <summary>
    /// Reads a length prefix: int16 or int32 (-1 = null), or compact (varint length + 1, 0 = null).
    /// <paramref name="length"/> is -1 for null. False when the prefix, or the
    /// <paramref name="minBytesPerItem"/> x length bytes it announces, are not all there yet.
    /// </summary>
    public static bool TryReadLength(ref SequenceReader<byte> reader, bool compact, bool wide, bool nullable, int minBytesPerItem, out int length)
    {
        long declared;
        if (compact)
        {
            if (!TryReadUnsignedVarInt(ref reader, out var raw))
            {
                length = 0;
                return false;
            }
            declared = (long)raw - 1;
        }
        else if (wide)
        {
            if (!reader.TryReadBigEndian(out int raw))
            {
                length = 0;
                return false;
            }
            declared = raw;
        }
        else
        {
            if (!reader.TryReadBigEndian(out short raw))
            {
                length = 0;
                return false;
            }
            declared = raw;
        }

        if (declared < 0)
        {
            if (declared != -1)
            {
                ProtocolThrow.InvalidLength(declared);
            }
            if (!nullable)
            {
                ProtocolThrow.UnexpectedNull();
            }
            length = -1;
            return true;
        }
        if (declared > int.MaxValue)
        {
            ProtocolThrow.InvalidLength(declared);
        }
        length = (int)declared;
        return declared * minBytesPerItem <= reader.Remaining;
    }

    /// <summary>Array length (int32 or compact); -1 for null. Each element needs at least one byte.</summary>
    public static bool TryReadArrayLength(ref SequenceReader<byte> reader, bool compact, bool nullable, out int count) =>
        TryReadLength(ref reader, compact, wide: true, nullable, 1, out count);

    /// <summary>STRING / NULLABLE_STRING / COMPACT_(NULLABLE_)STRING. UTF-8 is decoded leniently.</summary>
    public static bool TryReadString(ref SequenceReader<byte> reader, bool compact, bool nullable, out string? value)
    {
        value = null;
        if (!TryReadLength(ref reader, compact, wide: false, nullable, 1, out var length))
        {
            return false;
        }
        if (length < 0)
        {
            return true;
        }
        var unread = reader.UnreadSpan;
        value = unread.Length >= length
            ? Encoding.UTF8.GetString(unread[..length])
            : Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, length));
        reader.Advance(length);
        return true;
    }

    /// <summary>BYTES / NULLABLE_BYTES / COMPACT_(NULLABLE_)BYTES, copied into a new array.</summary>
    public static bool TryReadBytes(ref SequenceReader<byte> reader, bool compact, bool nullable, out byte[]? value)
    {
        value = null;
        if (!TryReadLength(ref reader, compact, wide: true, nullable, 1, out var length))
        {
            return false;
        }
        if (length < 0)
        {
            return true;
        }
        value = length == 0 ? [] : new byte[length];
        reader.TryCopyTo(value);
        reader.Advance(length);
        return true;
    }

    /// <summary>
    /// RECORDS / COMPACT_RECORDS: nullable bytes holding record batches, copied out (into a new
    /// array, or a pooled one inside a <see cref="RecordsBuffers.Rent"/> scope).
    /// </summary>
    public static bool TryReadRecords(ref SequenceReader<byte> reader, bool compact, out ReadOnlyMemory<byte>? value)
    {
        value = null;
        if (!TryReadLength(ref reader, compact, wide: true, nullable: true, 1, out var length))
        {
            return false;
        }
        if (length >= 0)
        {
            value = RecordsBuffers.Copy(ref reader, length);
        }
        return true;
    }

    /// <summary>
    /// Reads the count of a tagged-field section (flexible versions only, after every struct).
    /// Each field then starts with <see cref="TryReadTaggedFieldHeader"/>.
    /// </summary>
    public static bool TryReadTaggedFieldCount(ref SequenceReader<byte> reader, out uint count) =>
        TryReadUnsignedVarInt(ref reader, out count);

    /// <summary>A tagged field's tag and size; false unless all <paramref name="size"/> bytes are present.</summary>
    public static bool TryReadTaggedFieldHeader(ref SequenceReader<byte> reader, out uint tag, out int size)
    {
        size = 0;
        if (!TryReadUnsignedVarInt(ref reader, out tag) || !TryReadUnsignedVarInt(ref reader, out var raw))
        {
            return false;
        }
        if (raw > int.MaxValue)
        {
            ProtocolThrow.InvalidLength(raw);
        }
        size = (int)raw;
        return size <= reader.Remaining;
    }

    /// <summary>A reader over exactly the next <paramref name="size"/> bytes (a tagged field's value).</summary>
    public static SequenceReader<byte> Slice(ref SequenceReader<byte> reader, int size) =>
        new(reader.UnreadSequence.Slice(0, size));

    /// <summary>Copies a tagged field this code does not know, to be written back unchanged.</summary>
    public static void ReadUnknownTaggedField(ref SequenceReader<byte> reader, uint tag, int size, ref List<RawTaggedField>? fields)
    {
        var data = size == 0 ? [] : new byte[size];
        reader.TryCopyTo(data);
        reader.Advance(size);
        (fields ??= []).Add(new RawTaggedField(tag, data));
    }

    /// <summary>Malformed: a tagged field's value did not fit in its declared size.</summary>
    [DoesNotReturn]
    public static void ThrowTaggedFieldTooShort(uint tag) => ProtocolThrow.MalformedTaggedField(tag);
}
