using Strom.Protocol.Compression;

using Strom.Protocol.Primitives;

namespace Strom.Protocol.Records;

/// <summary>
/// One batch read by <see cref="RecordBatchReader"/>: the raw bytes, the header, and the
/// records (decoded, and decompressed, on first access). A magic 0/1 entry is presented as a
/// batch too, with a header synthesized from its messages (no producer id, no CRC-32C).
/// Keys and values are slices of the input or of one decompressed array per batch.
/// </summary>
public sealed class RecordBatchView
{
    /// <summary>A typed null: a bare <c>null</c> in a conditional would become an empty ReadOnlyMemory via byte[].</summary>
    private static readonly ReadOnlyMemory<byte>? NoBytes = null;

    private readonly int _maxDecompressedBytes;
    private IReadOnlyList<Record>? _records;
    private ReadOnlyMemory<byte>? _payload;

    internal RecordBatchView(ReadOnlyMemory<byte> bytes, int maxDecompressedBytes)
    {
        Bytes = bytes;
        Header = RecordBatchHeader.Parse(bytes.Span);
        _maxDecompressedBytes = maxDecompressedBytes;
    }

    private RecordBatchView(ReadOnlyMemory<byte> bytes, RecordBatchHeader header, List<Record> records)
    {
        Bytes = bytes;
        Header = header;
        _records = records;
    }

    /// <summary>The whole batch (or legacy entry) as it appeared in the input.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }
    public RecordBatchHeader Header { get; }
    public sbyte Magic => Header.Magic;
    public long BaseOffset => Header.BaseOffset;
    public long LastOffset => Header.LastOffset;
    public long NextOffset => Header.NextOffset;
    public CompressionType Compression => Header.Compression;
    public bool IsControl => Header.IsControl;
    public bool IsTransactional => Header.IsTransactional;
    public long ProducerId => Header.ProducerId;
    public short ProducerEpoch => Header.ProducerEpoch;

    public TimestampType TimestampType =>
        Magic == 0 ? TimestampType.None : Header.IsLogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>The records with absolute offsets and timestamps; throws <see cref="RecordFormatException"/> if malformed.</summary>
    public IReadOnlyList<Record> Records => _records ??= DecodeV2();

    /// <summary>
    /// The records without a list: each is parsed as the enumerator reaches it (keys, values and
    /// encoded headers are slices), so reading a batch allocates nothing per record. A malformed
    /// record throws <see cref="RecordFormatException"/> when reached; <see cref="ValidateRecords"/>
    /// checks them all first.
    /// </summary>
    public RecordEnumerator EnumerateRecords() =>
        Magic == 2 && _records is null ? new RecordEnumerator(this, Payload(), null) : new RecordEnumerator(this, default, Records);

    /// <summary>Parses every record once without keeping them; throws <see cref="RecordFormatException"/> if one is malformed.</summary>
    public void ValidateRecords()
    {
        if (Magic != 2 || _records is not null)
        {
            _ = Records;
            return;
        }
        var span = Payload().Span;
        var p = 0;
        for (var i = 0; i < Header.RecordCount; i++)
        {
            var error = RecordCodec.TryParse(span[p..], out var layout);
            if (error is not null)
            {
                RecordThrow.Corrupt(error);
            }
            p += layout.Size;
        }
        if (p != span.Length)
        {
            RecordThrow.Corrupt("Record batch has bytes after its last record.");
        }
    }

    /// <summary>The records section, decompressed once (one array per compressed batch); the count is checked against it.</summary>
    internal ReadOnlyMemory<byte> Payload()
    {
        if (_payload is { } cached)
        {
            return cached;
        }
        var payload = Bytes[RecordBatchHeader.Size..];
        if (Compression != CompressionType.None)
        {
            using var scratch = new PooledBufferWriter(CompressionCodecs.DecompressionCapacity(payload.Length, _maxDecompressedBytes));
            CompressionCodecs.Decompress(Compression, payload.Span, scratch, _maxDecompressedBytes);
            payload = scratch.WrittenSpan.ToArray();
        }
        var count = Header.RecordCount;
        if (count < 0 || count > payload.Length / 7)
        {
            RecordThrow.Corrupt($"Record count {count} does not fit the batch.");
        }
        _payload = payload;
        return payload;
    }

    /// <summary>One record parsed at <paramref name="position"/> of the payload; advances past it.</summary>
    internal Record ReadRecord(ReadOnlyMemory<byte> payload, ref int position)
    {
        var error = RecordCodec.TryParse(payload.Span[position..], out var layout);
        if (error is not null)
        {
            RecordThrow.Corrupt(error);
        }
        var record = payload.Slice(position, layout.Size);
        position += layout.Size;
        var header = Header;
        return new Record
        {
            Offset = header.BaseOffset + layout.OffsetDelta,
            Timestamp = header.IsLogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + layout.TimestampDelta,
            OffsetDelta = layout.OffsetDelta,
            TimestampDelta = layout.TimestampDelta,
            Key = layout.KeyLength < 0 ? NoBytes : record.Slice(layout.KeyStart, layout.KeyLength),
            Value = layout.ValueLength < 0 ? NoBytes : record.Slice(layout.ValueStart, layout.ValueLength),
            EncodedHeaders = record[layout.HeadersStart..],
            EncodedHeaderCount = layout.HeaderCount,
        };
    }

    private List<Record> DecodeV2()
    {
        var payload = Payload();
        var count = Header.RecordCount;
        var records = new List<Record>(count);
        var p = 0;
        for (var i = 0; i < count; i++)
        {
            records.Add(ReadRecord(payload, ref p));
        }
        if (p != payload.Length)
        {
            RecordThrow.Corrupt("Record batch has bytes after its last record.");
        }
        return records;
    }

    internal static RecordBatchView FromLegacy(ReadOnlyMemory<byte> entry, in LegacyMessage outer, int maxDecompressedBytes, bool verifyCrc)
    {
        var records = new List<Record>();
        if (outer.Compression == CompressionType.None)
        {
            records.Add(ToRecord(entry, outer, outer.Offset, outer.Timestamp));
        }
        else
        {
            if (outer.ValueLength < 0)
            {
                RecordThrow.Corrupt("Compressed message has a null value.");
            }
            using var scratch = new PooledBufferWriter(CompressionCodecs.DecompressionCapacity(outer.ValueLength, maxDecompressedBytes));
            CompressionCodecs.Decompress(
                outer.Compression, entry.Span.Slice(outer.ValueStart, outer.ValueLength), scratch, maxDecompressedBytes,
                legacyLz4Checksum: outer.Magic == 0);
            ReadOnlyMemory<byte> inner = scratch.WrittenSpan.ToArray();
            ReadInner(inner, outer, verifyCrc, records);
        }
        var first = records[0];
        var last = records[^1];
        var maxTimestamp = -1L;
        foreach (var r in records)
        {
            maxTimestamp = Math.Max(maxTimestamp, r.Timestamp);
        }
        var attributes = (short)(outer.Attributes & 0x0F);
        var header = new RecordBatchHeader(
            first.Offset, entry.Length - RecordBatchHeader.LogOverhead, -1, (sbyte)outer.Magic, outer.Crc, attributes,
            (int)(last.Offset - first.Offset), first.Timestamp, maxTimestamp, -1, -1, -1, records.Count);
        return new RecordBatchView(entry, header, records);
    }

    private static void ReadInner(ReadOnlyMemory<byte> inner, in LegacyMessage outer, bool verifyCrc, List<Record> records)
    {
        var messages = new List<(LegacyMessage Message, ReadOnlyMemory<byte> Entry)>();
        var p = 0;
        while (p < inner.Length)
        {
            var n = LegacyMessage.TryParse(inner.Span[p..], out var m, out var error);
            if (n <= 0)
            {
                RecordThrow.Corrupt(error ?? "Truncated message inside a compressed message.");
            }
            var entry = inner.Slice(p, n);
            if (verifyCrc && !LegacyMessage.IsCrcValid(entry.Span))
            {
                RecordThrow.Corrupt("Inner message failed its CRC check.");
            }
            if (m.Compression != CompressionType.None)
            {
                RecordThrow.Corrupt("Nested compressed messages are not allowed.");
            }
            messages.Add((m, entry));
            p += n;
        }
        if (messages.Count == 0)
        {
            RecordThrow.Corrupt("Compressed message holds no messages.");
        }
        var lastInner = messages[^1].Message.Offset;
        foreach (var (m, entry) in messages)
        {
            var offset = outer.Magic == 0 ? m.Offset : outer.Offset - lastInner + m.Offset;
            var timestamp = m.Magic == 0 ? -1
                : outer.TimestampType == TimestampType.LogAppendTime ? outer.Timestamp
                : m.Timestamp;
            records.Add(ToRecord(entry, m, offset, timestamp));
        }
    }

    private static Record ToRecord(ReadOnlyMemory<byte> entry, in LegacyMessage m, long offset, long timestamp) => new()
    {
        Offset = offset,
        Timestamp = timestamp,
        Key = m.KeyLength < 0 ? NoBytes : entry.Slice(m.KeyStart, m.KeyLength),
        Value = m.ValueLength < 0 ? NoBytes : entry.Slice(m.ValueStart, m.ValueLength),
    };
}
