using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Compression;

using Strom.Protocol.Primitives;

namespace Strom.Protocol.Records;

/// <summary>
/// Builds one record batch, magic v2 (layout in <see cref="RecordBatchHeader"/>, records in
/// <see cref="RecordCodec"/>). Records are encoded into a pooled buffer as they are appended;
/// <see cref="WriteTo"/> compresses them if asked, fills the header (base timestamp = first
/// record's, max timestamp, lastOffsetDelta, count) and the CRC-32C. Reuse one builder with
/// <see cref="Reset"/>: steady-state building does not allocate per record.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _records = new();
    private PooledBufferWriter? _compressed;
    private int _count;
    private int _lastOffsetDelta = -1;
    private long _baseTimestamp;
    private long _maxTimestamp = -1;

    public RecordBatchBuilder(CompressionType compression = CompressionType.None) => Compression = compression;

    public long BaseOffset { get; set; }
    public int PartitionLeaderEpoch { get; set; } = -1;
    public long ProducerId { get; set; } = -1;
    public short ProducerEpoch { get; set; } = -1;
    public int BaseSequence { get; set; } = -1;
    public CompressionType Compression { get; set; }
    public bool IsTransactional { get; set; }
    public bool IsControl { get; set; }
    public TimestampType TimestampType { get; set; } = TimestampType.CreateTime;

    public int RecordCount => _count;
    public int LastOffsetDelta => _lastOffsetDelta;

    /// <summary>Size of the batch if it were written uncompressed now.</summary>
    public int UncompressedSize => RecordBatchHeader.Size + _records.WrittenCount;

    /// <summary>Appends a record at the next offset delta; a null array is a null key or value.</summary>
    public void Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null) =>
        AppendSpan(_lastOffsetDelta + 1, timestamp, key, key is null, value, value is null, headers);

    /// <summary>
    /// Appends a record at the next offset delta. A null <see cref="ReadOnlyMemory{T}"/>? is a
    /// null key or value (note: a null array converted to ReadOnlyMemory is empty, not null).
    /// </summary>
    public void Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null) =>
        Append(_lastOffsetDelta + 1, timestamp, key, value, headers);

    /// <summary>Appends a record at an explicit offset delta, which must exceed the previous one.</summary>
    public void Append(int offsetDelta, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null) =>
        AppendSpan(offsetDelta, timestamp,
            key.HasValue ? key.Value.Span : default, !key.HasValue,
            value.HasValue ? value.Value.Span : default, !value.HasValue,
            headers);

    /// <summary>Appends <paramref name="record"/> using its <see cref="Record.OffsetDelta"/> and <see cref="Record.Timestamp"/>.</summary>
    public void Append(in Record record) => Append(record.OffsetDelta, record.Timestamp, record.Key, record.Value, record.Headers);

    internal void AppendSpan(int offsetDelta, long timestamp, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull, IReadOnlyList<RecordHeader>? headers)
    {
        if (offsetDelta <= _lastOffsetDelta)
        {
            throw new ArgumentOutOfRangeException(nameof(offsetDelta), "Offset deltas must increase within a batch.");
        }
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
        }
        var timestampDelta = timestamp - _baseTimestamp;
        var keyLength = keyIsNull ? -1 : key.Length;
        var valueLength = valueIsNull ? -1 : value.Length;
        var bodySize = RecordCodec.BodySize(offsetDelta, timestampDelta, keyLength, valueLength, headers);
        var span = _records.GetSpan(bodySize + 5);
        var n = RecordCodec.Write(span, bodySize, offsetDelta, timestampDelta, key, keyIsNull, value, valueIsNull, headers);
        _records.Advance(n);
        _count++;
        _lastOffsetDelta = offsetDelta;
        if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }
    }

    /// <summary>Writes the finished batch; returns its size in bytes.</summary>
    public int WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var payload = Payload();
        var total = RecordBatchHeader.Size + payload.Length;
        Finish(payload, output.GetSpan(total)[..total]);
        output.Advance(total);
        return total;
    }

    /// <summary>The finished batch as a new array of exactly its size (one copy of the records).</summary>
    public byte[] ToArray()
    {
        var payload = Payload();
        var batch = GC.AllocateUninitializedArray<byte>(RecordBatchHeader.Size + payload.Length);
        Finish(payload, batch);
        return batch;
    }

    /// <summary>The records section: as appended, or compressed into the reused scratch buffer.</summary>
    private ReadOnlySpan<byte> Payload()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }
        if (Compression == CompressionType.None)
        {
            return _records.WrittenSpan;
        }
        _compressed ??= new PooledBufferWriter();
        _compressed.Reset();
        CompressionCodecs.Compress(Compression, _records.WrittenSpan, _compressed);
        return _compressed.WrittenSpan;
    }

    /// <summary>Header, payload and CRC into <paramref name="batch"/>, which is exactly the batch's size.</summary>
    private void Finish(ReadOnlySpan<byte> payload, Span<byte> batch)
    {
        var header = new RecordBatchHeader(
            BaseOffset, batch.Length - RecordBatchHeader.LogOverhead, PartitionLeaderEpoch, 2, 0, Attributes(),
            _lastOffsetDelta, _baseTimestamp, _maxTimestamp, ProducerId, ProducerEpoch, BaseSequence, _count);
        header.Format(batch);
        payload.CopyTo(batch[RecordBatchHeader.Size..]);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(batch));
    }

    /// <summary>Drops the appended records; batch settings are kept.</summary>
    public void Reset()
    {
        _records.Reset();
        _count = 0;
        _lastOffsetDelta = -1;
        _baseTimestamp = 0;
        _maxTimestamp = -1;
    }

    private short Attributes()
    {
        var attributes = (short)((int)Compression & RecordBatchHeader.CompressionMask);
        if (TimestampType == TimestampType.LogAppendTime)
        {
            attributes |= RecordBatchHeader.TimestampTypeFlag;
        }
        if (IsTransactional)
        {
            attributes |= RecordBatchHeader.TransactionalFlag;
        }
        if (IsControl)
        {
            attributes |= RecordBatchHeader.ControlFlag;
        }
        return attributes;
    }

    public void Dispose()
    {
        _records.Dispose();
        _compressed?.Dispose();
    }
}
