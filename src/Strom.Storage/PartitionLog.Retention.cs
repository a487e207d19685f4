using System.Collections.Concurrent;
using Strom.Protocol;
using Strom.Storage.Segments;

namespace Strom.Storage;

public sealed partial class PartitionLog
{
    private readonly ConcurrentDictionary<LogSegment, byte> _pendingDeletes = new();

    /// <summary>
    /// DeleteRecords: raises the log start offset to <paramref name="offset"/> and deletes segments
    /// wholly below it (never the active one). The manager persists the new start offset in
    /// log-start-offset-checkpoint. Offsets above the high watermark are out of range.
    /// </summary>
    public ErrorCode DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            if (offset < 0 || offset > _highWatermark)
            {
                return ErrorCode.OffsetOutOfRange;
            }
            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
                _epochs.TruncateFromStart(offset);
                _producers.OnLogStartOffsetIncremented(offset);
                DeleteOldestLocked(CountBelowLogStart(), allowActive: false);
            }
            return ErrorCode.None;
        }
    }

    /// <summary>
    /// Applies retention.ms (segments whose newest timestamp is older), then retention.bytes
    /// (oldest segments while the log stays at or above the limit without them), then drops
    /// segments below the log start offset. An expired non-empty active segment is rolled first.
    /// Time and size retention apply only with cleanup.policy delete (<see cref="LogConfig.Delete"/>).
    /// Returns the number of segments deleted.
    /// </summary>
    public int ApplyRetention(long nowMs)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return 0;
            }
            var config = _config;
            var deleted = 0;
            if (config.Delete && config.RetentionMs >= 0)
            {
                var count = 0;
                while (count < _segments.Length && nowMs - _segments[count].LargestTimestamp > config.RetentionMs)
                {
                    count++;
                }
                deleted += DeleteOldestLocked(count, allowActive: true);
            }
            if (config.Delete && config.RetentionBytes >= 0)
            {
                var excess = Size - config.RetentionBytes;
                var count = 0;
                while (count < _segments.Length && excess - _segments[count].Size >= 0)
                {
                    excess -= _segments[count].Size;
                    count++;
                }
                deleted += DeleteOldestLocked(count, allowActive: true);
            }
            deleted += DeleteOldestLocked(CountBelowLogStart(), allowActive: false);
            return deleted;
        }
    }

    private int CountBelowLogStart()
    {
        var count = 0;
        while (count + 1 < _segments.Length && _segments[count + 1].BaseOffset <= _logStartOffset)
        {
            count++;
        }
        return count;
    }

    /// <summary>Deletes the <paramref name="count"/> oldest segments; rolls first if that includes a non-empty active one.</summary>
    private int DeleteOldestLocked(int count, bool allowActive)
    {
        if (count >= _segments.Length)
        {
            count = _segments.Length - 1;
            if (allowActive && Active.Size > 0)
            {
                RollLocked(NowMs);
                count++;
            }
        }
        if (count <= 0)
        {
            return 0;
        }
        var doomed = _segments[..count];
        Volatile.Write(ref _segments, _segments[count..]);
        var newStart = Math.Max(_logStartOffset, _segments[0].BaseOffset);
        if (newStart != _logStartOffset)
        {
            Volatile.Write(ref _logStartOffset, newStart);
            _epochs.TruncateFromStart(newStart);
            _producers.OnLogStartOffsetIncremented(newStart);
        }
        Volatile.Write(ref _highWatermark, Math.Max(_highWatermark, newStart));
        foreach (var segment in doomed)
        {
            RetireSegment(segment);
        }
        return count;
    }

    /// <summary>
    /// Drops everything at and above <paramref name="offset"/> (follower truncation, KIP-101/279).
    /// A batch holding the offset is dropped whole, so the new log end may be below it.
    /// </summary>
    public void Truncate(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            if (offset >= _logEndOffset)
            {
                return;
            }
            _truncations++;
            var keep = FindSegment(_segments, offset);
            if (keep < 0)
            {
                TruncateFullyAndStartAtLocked(offset);
                return;
            }
            var doomed = _segments[(keep + 1)..];
            Volatile.Write(ref _segments, _segments[..(keep + 1)]);
            foreach (var segment in doomed)
            {
                RetireSegment(segment);
            }
            Active.TruncateTo(offset);
            var logEnd = Active.NextOffset;
            Volatile.Write(ref _logEndOffset, logEnd);
            Volatile.Write(ref _logStartOffset, Math.Min(_logStartOffset, logEnd));
            Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, logEnd));
            Volatile.Write(ref _recoveryPoint, Math.Min(_recoveryPoint, logEnd));
            _epochs.TruncateFromEnd(logEnd);
            LoadProducerState();
        }
    }

    /// <summary>Deletes every segment and restarts the log empty at <paramref name="offset"/>.</summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            TruncateFullyAndStartAtLocked(offset);
        }
    }

    private void TruncateFullyAndStartAtLocked(long offset)
    {
        _truncations++;
        var doomed = _segments;
        foreach (var segment in doomed)
        {
            RetireSegment(segment);
        }
        Volatile.Write(ref _segments, [LogSegment.Create(Directory, offset, _config, NowMs)]);
        Volatile.Write(ref _logEndOffset, offset);
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _highWatermark, offset);
        Volatile.Write(ref _recoveryPoint, offset);
        _epochs.Clear();
        _producers.Clear();
        _producers.DeleteSnapshots();
    }

    /// <summary>
    /// Renames a removed segment's files to .deleted and deletes them after file.delete.delay.ms,
    /// so readers that took the old snapshot can finish.
    /// </summary>
    private void RetireSegment(LogSegment segment)
    {
        segment.RenameForDeletion();
        var delay = _config.FileDeleteDelayMs;
        if (delay <= 0)
        {
            segment.DeleteFiles();
            return;
        }
        _pendingDeletes[segment] = 0;
        _ = DeleteLaterAsync(segment, TimeSpan.FromMilliseconds(delay));
    }

    private async Task DeleteLaterAsync(LogSegment segment, TimeSpan delay)
    {
        await Task.Delay(delay, _time).ConfigureAwait(false);
        if (_pendingDeletes.TryRemove(segment, out _))
        {
            DeleteQuietly(segment);
        }
    }

    private void DeletePendingNow()
    {
        foreach (var segment in _pendingDeletes.Keys)
        {
            if (_pendingDeletes.TryRemove(segment, out _))
            {
                DeleteQuietly(segment);
            }
        }
    }

    private static void DeleteQuietly(LogSegment segment)
    {
        try
        {
            segment.DeleteFiles();
        }
        catch (IOException)
        {
            // Left as .deleted; removed when the log is next opened.
        }
    }
}
