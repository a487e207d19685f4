using System.Buffers;
using Strom.Protocol;
using Strom.Protocol.Records;
using Strom.Storage.Segments;

namespace Strom.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads whole batches for Fetch, starting with the batch that CONTAINS <paramref name="offset"/>
    /// (clients skip records below it), up to <paramref name="maxBytes"/>; with
    /// <paramref name="minOneBatch"/> the first batch is returned even when larger (KIP-74). Never
    /// returns a partial batch or a batch starting at or beyond <paramref name="maxOffsetExclusive"/>
    /// (usually the high watermark). Offsets below log start or above log end give
    /// <see cref="ErrorCode.OffsetOutOfRange"/>; the log end gives an empty result.
    /// </summary>
    public ReadResult Read(long offset, int maxBytes, long maxOffsetExclusive, bool minOneBatch)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return ReadOnce(offset, maxBytes, maxOffsetExclusive, minOneBatch);
            }
            catch (ObjectDisposedException) when (attempt < 3)
            {
                // Retention removed the segment under us; the fresh snapshot decides (maybe out of range).
            }
        }
    }

    private ReadResult ReadOnce(long offset, int maxBytes, long maxOffsetExclusive, bool minOneBatch)
    {
        var segments = Volatile.Read(ref _segments);
        var logEnd = LogEndOffset;
        var logStart = LogStartOffset;
        var hw = HighWatermark;
        if (offset < logStart || offset > logEnd)
        {
            return new ReadResult(ErrorCode.OffsetOutOfRange, null, 0, logStart, logEnd, hw);
        }
        var empty = new ReadResult(ErrorCode.None, null, 0, logStart, logEnd, hw);
        if (offset == logEnd || offset >= maxOffsetExclusive)
        {
            return empty;
        }
        var firstSegment = FindSegment(segments, offset);
        if (firstSegment < 0)
        {
            // Below the oldest segment of this snapshot: retention moved the log start after we read it.
            return new ReadResult(ErrorCode.OffsetOutOfRange, null, 0, Math.Max(logStart, segments.Length > 0 ? segments[0].BaseOffset : logStart), logEnd, hw);
        }
        for (var i = firstSegment; i < segments.Length; i++)
        {
            var segment = segments[i];
            var end = segment.Size;
            if (!segment.TryFindBatch(offset, end, out var position, out var first))
            {
                continue;
            }
            if (first.BaseOffset >= maxOffsetExclusive)
            {
                return empty;
            }
            var want = Math.Min(Math.Max(maxBytes, 0), end - position);
            if (first.TotalSize > want)
            {
                if (!minOneBatch)
                {
                    return empty;
                }
                want = first.TotalSize;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(want);
            try
            {
                var read = segment.Read(buffer.AsSpan(0, want), position);
                var length = WholeBatchesLength(buffer.AsSpan(0, read), maxOffsetExclusive);
                if (length == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return empty;
                }
                return new ReadResult(ErrorCode.None, buffer, length, logStart, logEnd, hw);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
        return empty;
    }

    /// <summary>Length of the leading whole batches that start below <paramref name="maxOffsetExclusive"/>.</summary>
    private static int WholeBatchesLength(ReadOnlySpan<byte> bytes, long maxOffsetExclusive)
    {
        var length = 0;
        while (bytes.Length - length >= RecordBatchHeader.Size)
        {
            var batch = bytes[length..];
            var total = (long)RecordBatchHeader.ReadBatchLength(batch) + RecordBatchHeader.LogOverhead;
            if (total < RecordBatchHeader.Size || total > batch.Length
                || RecordBatchHeader.ReadBaseOffset(batch) >= maxOffsetExclusive)
            {
                break;
            }
            length += (int)total;
        }
        return length;
    }

    /// <summary>Index of the last segment whose base offset is at or below <paramref name="offset"/>, or -1.</summary>
    private static int FindSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>
    /// ListOffsets by timestamp: the first batch (at or after log start) whose max timestamp is at
    /// or above <paramref name="timestampMs"/>, found through the time index then a header scan.
    /// The caller refines to the first record with timestamp >= target inside the batch.
    /// </summary>
    public TimestampLookup FindByTimestamp(long timestampMs)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var logStart = LogStartOffset;
                foreach (var segment in Volatile.Read(ref _segments))
                {
                    if (segment.MaxTimestamp < timestampMs || segment.NextOffset <= logStart)
                    {
                        continue;
                    }
                    var end = segment.Size;
                    if (segment.TryFindByTimestamp(timestampMs, logStart, end, out var position, out var h))
                    {
                        return ReadBatch(segment, position, h);
                    }
                }
                return TimestampLookup.NotFound;
            }
            catch (ObjectDisposedException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>ListOffsets -3 (KIP-734): the first batch holding the log's largest timestamp.</summary>
    public TimestampLookup MaxTimestampBatch()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                LogSegment? best = null;
                foreach (var segment in Volatile.Read(ref _segments))
                {
                    if (segment.MaxTimestamp >= 0 && (best is null || segment.MaxTimestamp > best.MaxTimestamp))
                    {
                        best = segment;
                    }
                }
                if (best is not null && best.TryFindBatch(best.OffsetOfMaxTimestamp, best.Size, out var position, out var h))
                {
                    return ReadBatch(best, position, h);
                }
                return TimestampLookup.NotFound;
            }
            catch (ObjectDisposedException) when (attempt < 3)
            {
            }
        }
    }

    private static TimestampLookup ReadBatch(LogSegment segment, int position, RecordBatchHeader h)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(h.TotalSize);
        try
        {
            var read = segment.Read(buffer.AsSpan(0, h.TotalSize), position);
            return new TimestampLookup(h.BaseOffset, h.LastOffset, h.MaxTimestamp, buffer, read);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
