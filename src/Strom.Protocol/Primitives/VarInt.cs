namespace Strom.Protocol.Primitives;

/// <summary>
/// Variable-length integers as the Kafka protocol guide defines them: unsigned LEB128
/// (used by compact lengths and tags) and zig-zag signed varint/varlong (used inside
/// record batches). Span-based; the sequence readers build on these.
/// </summary>
public static class VarInt
{
    public const int MaxVarIntBytes = 5;
    public const int MaxVarLongBytes = 10;

    public static int SizeOfUnsigned(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int SizeOfUnsigned(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int SizeOf(int value) => SizeOfUnsigned(ZigZag(value));

    public static int SizeOf(long value) => SizeOfUnsigned(ZigZag(value));

    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Writes an unsigned varint; returns the bytes written. The span must hold 5 bytes.</summary>
    public static int WriteUnsigned(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int Write(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZag(value));

    public static int Write(Span<byte> destination, long value) => WriteUnsigned(destination, ZigZag(value));

    /// <summary>
    /// Reads an unsigned varint. Returns bytes consumed, 0 when the input ends first,
    /// or -1 when the encoding is longer than 5 bytes (malformed).
    /// </summary>
    public static int TryReadUnsigned(ReadOnlySpan<byte> source, out uint value)
    {
        uint result = 0;
        for (var i = 0; i < MaxVarIntBytes; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                return 0;
            }
            var b = source[i];
            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                return i + 1;
            }
        }
        value = 0;
        return -1;
    }

    /// <summary>As <see cref="TryReadUnsigned(ReadOnlySpan{byte}, out uint)"/>, for up to 10 bytes.</summary>
    public static int TryReadUnsigned(ReadOnlySpan<byte> source, out ulong value)
    {
        ulong result = 0;
        for (var i = 0; i < MaxVarLongBytes; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                return 0;
            }
            var b = source[i];
            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                return i + 1;
            }
        }
        value = 0;
        return -1;
    }

    public static int TryRead(ReadOnlySpan<byte> source, out int value)
    {
        var n = TryReadUnsigned(source, out uint raw);
        value = UnZigZag(raw);
        return n;
    }

    public static int TryRead(ReadOnlySpan<byte> source, out long value)
    {
        var n = TryReadUnsigned(source, out ulong raw);
        value = UnZigZag(raw);
        return n;
    }
}
