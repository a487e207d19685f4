using System.Text;
using Strom.Protocol.Primitives;

namespace Strom.Protocol.Records;

/// <summary>Where the parts of one parsed record sit, relative to the record's first byte.</summary>
internal struct RecordLayout
{
    public int Size;
    public long TimestampDelta;
    public int OffsetDelta;
    public int KeyStart;
    public int KeyLength; // -1: null
    public int ValueStart;
    public int ValueLength; // -1: null
    public int HeadersStart;
    public int HeaderCount;
}

/// <summary>
/// One record inside a v2 batch (protocol guide, "Record"):
/// <code>
/// length varint (bytes after it), attributes int8 (unused, 0), timestampDelta varlong,
/// offsetDelta varint, keyLength varint (-1 null), key, valueLength varint (-1 null), value,
/// headerCount varint, headers: [keyLength varint, key utf8, valueLength varint (-1 null), value]
/// </code>
/// Parsing is allocation-free and checks every length against the bytes present, so the
/// validator and the reader share it.
/// </summary>
internal static class RecordCodec
{
    public const int MaxHeaderSize = 5 + 1 + 10 + 5 + 5 + 5 + 5;

    /// <summary>Parses the record at the start of <paramref name="s"/>; returns null or the reason it is invalid.</summary>
    public static string? TryParse(ReadOnlySpan<byte> s, out RecordLayout layout)
    {
        layout = default;
        var n = VarInt.TryRead(s, out int length);
        if (n <= 0 || length < 0 || length > s.Length - n)
        {
            return "Record length exceeds the batch.";
        }
        var end = n + length;
        var body = s[..end];
        var p = n + 1; // attributes
        if (p > end)
        {
            return "Record is truncated.";
        }
        n = VarInt.TryRead(body[p..], out layout.TimestampDelta);
        if (n <= 0)
        {
            return "Invalid record timestamp delta.";
        }
        p += n;
        n = VarInt.TryRead(body[p..], out layout.OffsetDelta);
        if (n <= 0)
        {
            return "Invalid record offset delta.";
        }
        p += n;
        if (!TryReadBytes(body, ref p, out layout.KeyStart, out layout.KeyLength))
        {
            return "Invalid record key length.";
        }
        if (!TryReadBytes(body, ref p, out layout.ValueStart, out layout.ValueLength))
        {
            return "Invalid record value length.";
        }
        n = VarInt.TryRead(body[p..], out layout.HeaderCount);
        if (n <= 0 || layout.HeaderCount < 0)
        {
            return "Invalid record header count.";
        }
        p += n;
        layout.HeadersStart = p;
        for (var i = 0; i < layout.HeaderCount; i++)
        {
            if (!TryReadBytes(body, ref p, out _, out var keyLength) || keyLength < 0)
            {
                return "Invalid record header key.";
            }
            if (!TryReadBytes(body, ref p, out _, out _))
            {
                return "Invalid record header value.";
            }
        }
        if (p != end)
        {
            return "Record length does not match its contents.";
        }
        layout.Size = end;
        return null;
    }

    /// <summary>Reads a varint length (-1 = null) and skips that many bytes.</summary>
    public static bool TryReadBytes(ReadOnlySpan<byte> s, ref int p, out int start, out int length)
    {
        start = 0;
        var n = VarInt.TryRead(s[p..], out length);
        if (n <= 0 || length < -1)
        {
            return false;
        }
        p += n;
        start = p;
        if (length > 0)
        {
            if (length > s.Length - p)
            {
                return false;
            }
            p += length;
        }
        return true;
    }

    /// <summary>Encoded size of a record body (everything after the length varint).</summary>
    public static int BodySize(int offsetDelta, long timestampDelta, int keyLength, int valueLength, IReadOnlyList<RecordHeader>? headers)
    {
        var size = 1 + VarInt.SizeOf(timestampDelta) + VarInt.SizeOf(offsetDelta)
            + VarInt.SizeOf(keyLength) + Math.Max(keyLength, 0)
            + VarInt.SizeOf(valueLength) + Math.Max(valueLength, 0);
        var count = headers?.Count ?? 0;
        size += VarInt.SizeOf(count);
        for (var i = 0; i < count; i++)
        {
            var header = headers![i];
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            var valueBytes = header.Value?.Length ?? -1;
            size += VarInt.SizeOf(keyBytes) + keyBytes + VarInt.SizeOf(valueBytes) + Math.Max(valueBytes, 0);
        }
        return size;
    }

    /// <summary>Writes a whole record (length varint first); returns bytes written.</summary>
    public static int Write(
        Span<byte> d, int bodySize, int offsetDelta, long timestampDelta,
        ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull,
        IReadOnlyList<RecordHeader>? headers)
    {
        var p = VarInt.Write(d, bodySize);
        d[p++] = 0;
        p += VarInt.Write(d[p..], timestampDelta);
        p += VarInt.Write(d[p..], offsetDelta);
        p += WriteBytes(d[p..], key, keyIsNull);
        p += WriteBytes(d[p..], value, valueIsNull);
        var count = headers?.Count ?? 0;
        p += VarInt.Write(d[p..], count);
        for (var i = 0; i < count; i++)
        {
            var header = headers![i];
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            p += VarInt.Write(d[p..], keyBytes);
            p += Encoding.UTF8.GetBytes(header.Key, d[p..]);
            p += WriteBytes(d[p..], header.Value, header.Value is null);
        }
        return p;
    }

    private static int WriteBytes(Span<byte> d, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return VarInt.Write(d, -1);
        }
        var p = VarInt.Write(d, bytes.Length);
        bytes.CopyTo(d[p..]);
        return p + bytes.Length;
    }

    /// <summary>Decodes the headers section of a parsed record (allocates strings and arrays: reader only).</summary>
    public static RecordHeader[] ReadHeaders(ReadOnlySpan<byte> encoded, int count)
    {
        if (count == 0)
        {
            return [];
        }
        var headers = new RecordHeader[count];
        var p = 0;
        for (var i = 0; i < headers.Length; i++)
        {
            TryReadBytes(encoded, ref p, out var keyStart, out var keyLength);
            TryReadBytes(encoded, ref p, out var valueStart, out var valueLength);
            var key = Encoding.UTF8.GetString(encoded.Slice(keyStart, keyLength));
            var value = valueLength < 0 ? null : encoded.Slice(valueStart, valueLength).ToArray();
            headers[i] = new RecordHeader(key, value);
        }
        return headers;
    }
}
