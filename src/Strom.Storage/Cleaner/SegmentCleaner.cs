using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Records;
using Strom.Storage.Formats;
using Strom.Storage.Segments;

namespace Strom.Storage.Cleaner;

/// <summary>
/// Rewrites segments for log compaction. A record survives unless a later offset holds its key
/// (per the <see cref="KeyOffsetMap"/>) or it is a tombstone older than delete.retention.ms. A
/// batch whose records all survive is copied as is; a partly surviving batch is re-encoded with
/// the same base offset, offset deltas, last offset delta (so the producer's sequence range is
/// unchanged), compression, producer id, epoch and base sequence. Control and transactional
/// batches are copied whole, as are keyless records, and a producer's last batch is kept whole
/// so its idempotence state can be rebuilt from the log.
/// </summary>
internal sealed class SegmentCleaner(LogConfig config, long nowMs, HashSet<long> producerLastOffsets, CancellationToken cancellationToken)
{
    private const int WriteChunk = 1 << 20;

    private readonly List<Record> _retained = [];

    public long RecordsRemoved { get; private set; }

    /// <summary>Earliest time a kept tombstone may be removed (long.MaxValue when none was kept).</summary>
    public long NextTombstoneDueMs { get; private set; } = long.MaxValue;

    /// <summary>Adds every keyed record of the segment's data batches to the map.</summary>
    public void AddToMap(LogSegment segment, KeyOffsetMap map)
    {
        foreach (var (header, bytes) in Batches(segment))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (header.IsControl || header.IsTransactional)
            {
                continue;
            }
            foreach (var record in View(bytes).Records)
            {
                if (record.Key is { } key)
                {
                    map.Put(key.Span, record.Offset);
                }
            }
        }
    }

    /// <summary>
    /// Writes the surviving batches of <paramref name="group"/> to <c>&lt;first base&gt;.log.cleaned</c>
    /// and opens it as a segment (indexes built, fsynced). The caller swaps it in.
    /// </summary>
    public LogSegment CleanGroup(string directory, IReadOnlyList<LogSegment> group, KeyOffsetMap map)
    {
        var baseOffset = group[0].BaseOffset;
        var path = LogFileNames.LogFile(directory, baseOffset) + LogFileNames.CleanedSuffix;
        try
        {
            using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read))
            {
                var output = new ArrayBufferWriter<byte>(WriteChunk + (WriteChunk / 4));
                long position = 0;
                foreach (var segment in group)
                {
                    foreach (var (header, bytes) in Batches(segment))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Filter(segment, header, bytes, map, output);
                        if (output.WrittenCount >= WriteChunk)
                        {
                            RandomAccess.Write(handle, output.WrittenSpan, position);
                            position += output.WrittenCount;
                            output.ResetWrittenCount();
                        }
                    }
                }
                RandomAccess.Write(handle, output.WrittenSpan, position);
                RandomAccess.FlushToDisk(handle);
            }
            return LogSegment.OpenCleaned(directory, baseOffset, config, nowMs);
        }
        catch
        {
            DeleteCleanedFiles(directory, baseOffset);
            throw;
        }
    }

    public static void DeleteCleanedFiles(string directory, long baseOffset)
    {
        File.Delete(LogFileNames.LogFile(directory, baseOffset) + LogFileNames.CleanedSuffix);
        File.Delete(LogFileNames.IndexFile(directory, baseOffset) + LogFileNames.CleanedSuffix);
        File.Delete(LogFileNames.TimeIndexFile(directory, baseOffset) + LogFileNames.CleanedSuffix);
    }

    private void Filter(LogSegment segment, in RecordBatchHeader header, ReadOnlyMemory<byte> bytes, KeyOffsetMap map, ArrayBufferWriter<byte> output)
    {
        if (header.Magic != 2 || header.IsControl || header.IsTransactional)
        {
            output.Write(bytes.Span);
            return;
        }
        var records = View(bytes).Records;
        _retained.Clear();
        foreach (var record in records)
        {
            if (ShouldRetain(segment, record, map))
            {
                _retained.Add(record);
            }
        }
        if (_retained.Count == records.Count
            || (_retained.Count == 0 && header.HasProducerId && producerLastOffsets.Contains(header.LastOffset)))
        {
            output.Write(bytes.Span);
            return;
        }
        RecordsRemoved += records.Count - _retained.Count;
        if (_retained.Count > 0)
        {
            output.Write(Reencode(header));
        }
    }

    private bool ShouldRetain(LogSegment segment, in Record record, KeyOffsetMap map)
    {
        if (record.Key is not { } key)
        {
            return true;
        }
        if (map.TryGet(key.Span, out var latest) && latest > record.Offset)
        {
            return false;
        }
        if (record.Value is null)
        {
            var timestamp = record.Timestamp >= 0 ? record.Timestamp : segment.LargestTimestamp;
            var dueMs = timestamp > long.MaxValue - config.DeleteRetentionMs ? long.MaxValue : timestamp + config.DeleteRetentionMs;
            if (nowMs >= dueMs)
            {
                return false;
            }
            NextTombstoneDueMs = Math.Min(NextTombstoneDueMs, dueMs);
        }
        return true;
    }

    private byte[] Reencode(in RecordBatchHeader header)
    {
        using var builder = new RecordBatchBuilder(header.Compression)
        {
            BaseOffset = header.BaseOffset,
            PartitionLeaderEpoch = header.PartitionLeaderEpoch,
            ProducerId = header.ProducerId,
            ProducerEpoch = header.ProducerEpoch,
            BaseSequence = header.BaseSequence,
            TimestampType = header.IsLogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
        };
        foreach (var record in _retained)
        {
            builder.Append(record);
        }
        var batch = builder.ToArray();
        // Keep the original last offset (as Kafka does) so the batch still spans its sequence range.
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), header.LastOffsetDelta);
        if (header.IsLogAppendTime)
        {
            BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchHeader.MaxTimestampOffset), header.MaxTimestamp);
        }
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    private static RecordBatchView View(ReadOnlyMemory<byte> bytes)
    {
        var reader = new RecordBatchReader(bytes, verifyCrc: false);
        if (!reader.TryReadNext(out var view))
        {
            ThrowHelper.ThrowInvalidBatches("a segment batch could not be read for cleaning");
        }
        return view;
    }

    /// <summary>The segment's batches in order; each buffer is valid until the next one is read.</summary>
    private static IEnumerable<(RecordBatchHeader Header, ReadOnlyMemory<byte> Bytes)> Batches(LogSegment segment)
    {
        var size = segment.Size;
        var scratch = new byte[RecordBatchHeader.Size];
        var buffer = new byte[64 * 1024];
        for (var position = 0; position < size;)
        {
            if (!segment.TryReadHeader(position, size, scratch, out var header))
            {
                ThrowHelper.ThrowInvalidBatches($"unreadable batch at position {position} of segment {segment.BaseOffset}");
            }
            if (buffer.Length < header.TotalSize)
            {
                buffer = new byte[Math.Max(header.TotalSize, buffer.Length * 2)];
            }
            var read = segment.Read(buffer.AsSpan(0, header.TotalSize), position);
            if (read < header.TotalSize)
            {
                ThrowHelper.ThrowInvalidBatches($"short read at position {position} of segment {segment.BaseOffset}");
            }
            yield return (header, buffer.AsMemory(0, header.TotalSize));
            position += header.TotalSize;
        }
    }
}
