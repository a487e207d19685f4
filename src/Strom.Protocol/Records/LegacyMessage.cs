using System.Buffers.Binary;

namespace Strom.Protocol.Records;

/// <summary>
/// One entry of a legacy message set, magic 0 or 1 (protocol guide, "Message Sets"):
/// <code>
///  0 offset int64   8 messageSize int32 (bytes after it)   12 crc uint32 (CRC-32 IEEE of 16..end)
/// 16 magic int8    17 attributes int8: bits 0-2 compression, bit 3 timestamp type (v1)
/// 18 timestamp int64 (v1 only), then key bytes (int32 length, -1 null), value bytes (same)
/// </code>
/// A compressed message's value is a whole inner message set. In v1 the inner offsets are
/// relative (0..n-1) and the wrapper's offset is the last inner message's absolute offset;
/// in v0 inner offsets are absolute.
/// </summary>
internal struct LegacyMessage
{
    public const int MinSizeV0 = 4 + 1 + 1 + 4 + 4;
    public const int MinSizeV1 = MinSizeV0 + 8;

    public long Offset;
    public int TotalSize;
    public uint Crc;
    public byte Magic;
    public byte Attributes;
    public long Timestamp;
    public int KeyStart;
    public int KeyLength;
    public int ValueStart;
    public int ValueLength;

    public readonly CompressionType Compression => (CompressionType)(Attributes & 0x07);
    public readonly TimestampType TimestampType =>
        Magic == 0 ? TimestampType.None : (Attributes & 0x08) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>
    /// Parses the entry at the start of <paramref name="s"/>. Returns 0 when the entry is
    /// incomplete, -1 when it is malformed (<paramref name="error"/> says why), else its size.
    /// </summary>
    public static int TryParse(ReadOnlySpan<byte> s, out LegacyMessage m, out string? error)
    {
        m = default;
        error = null;
        if (s.Length < RecordBatchHeader.LogOverhead)
        {
            return 0;
        }
        var size = BinaryPrimitives.ReadInt32BigEndian(s[8..]);
        if (size < MinSizeV0)
        {
            error = "Legacy message size is smaller than the minimum.";
            return -1;
        }
        if (size > s.Length - RecordBatchHeader.LogOverhead)
        {
            return 0;
        }
        m.Offset = BinaryPrimitives.ReadInt64BigEndian(s);
        m.TotalSize = RecordBatchHeader.LogOverhead + size;
        var e = s[..m.TotalSize];
        m.Crc = BinaryPrimitives.ReadUInt32BigEndian(e[12..]);
        m.Magic = e[16];
        m.Attributes = e[17];
        var p = 18;
        if (m.Magic == 1)
        {
            if (size < MinSizeV1)
            {
                error = "Legacy message size is smaller than the minimum.";
                return -1;
            }
            m.Timestamp = BinaryPrimitives.ReadInt64BigEndian(e[p..]);
            p += 8;
        }
        else if (m.Magic == 0)
        {
            m.Timestamp = -1;
        }
        else
        {
            error = $"Unexpected magic {m.Magic} in a legacy message set.";
            return -1;
        }
        if (!TryReadBytes(e, ref p, out m.KeyStart, out m.KeyLength)
            || !TryReadBytes(e, ref p, out m.ValueStart, out m.ValueLength)
            || p != e.Length)
        {
            error = "Legacy message key/value lengths do not match the message size.";
            return -1;
        }
        return m.TotalSize;
    }

    public static bool IsCrcValid(ReadOnlySpan<byte> entry) =>
        BinaryPrimitives.ReadUInt32BigEndian(entry[12..]) == LegacyCrc32.Compute(entry[16..]);

    private static bool TryReadBytes(ReadOnlySpan<byte> e, ref int p, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (e.Length - p < 4)
        {
            return false;
        }
        length = BinaryPrimitives.ReadInt32BigEndian(e[p..]);
        p += 4;
        start = p;
        if (length < -1 || length > e.Length - p)
        {
            return false;
        }
        if (length > 0)
        {
            p += length;
        }
        return true;
    }
}
