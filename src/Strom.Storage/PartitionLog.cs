using System.Buffers.Binary;
using Strom.Protocol.Records;
using Strom.Storage.Formats;
using Strom.Storage.Producers;
using Strom.Storage.Segments;

namespace Strom.Storage;

/// <summary>What the log manager knows about a partition from its checkpoints when opening it.</summary>
/// <param name="RecoveryPoint">Offset below which data was fsynced (recovery-point-offset-checkpoint).</param>
/// <param name="LogStartOffset">First visible offset (log-start-offset-checkpoint).</param>
/// <param name="CleanShutdown">True when the log dir's clean-shutdown marker was present.</param>
public readonly record struct LogLoadState(long RecoveryPoint, long LogStartOffset, bool CleanShutdown)
{
    /// <summary>Nothing known: recover every segment.</summary>
    public static LogLoadState Unknown => new(0, 0, false);
}

/// <summary>
/// The log of one partition: an ordered list of segments, the last one active. Appends take one
/// writer lock; reads take none and see a published snapshot (segment array, log end offset).
/// Durability: by default nothing is fsynced on the append path (flush.messages / flush.ms are
/// long.MaxValue, as in Kafka); segments are fsynced when rolled, by <see cref="Flush"/> and on
/// <see cref="Close"/>. After a crash, data past the recovery point is validated and a torn tail
/// is truncated.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly LeaderEpochCache _epochs;
    private readonly ProducerStateManager _producers;
    private LogConfig _config;
    private LogSegment[] _segments;
    private long _logEndOffset;
    private long _logStartOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private long _truncations;
    private bool _closed;

    private PartitionLog(string directory, TopicPartition tp, LogConfig config, TimeProvider time, LogSegment[] segments, LeaderEpochCache epochs)
    {
        Directory = directory;
        TopicPartition = tp;
        _config = config;
        _time = time;
        _segments = segments;
        _epochs = epochs;
        _producers = new ProducerStateManager(directory);
        _lastFlushMs = NowMs;
    }

    public string Directory { get; }

    public TopicPartition TopicPartition { get; }

    public LogConfig Config => Volatile.Read(ref _config);

    /// <summary>Offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>First offset readable by clients (raised by retention and DeleteRecords).</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>Offsets below this are committed; consumers read below it. Clamped to [log start, log end].</summary>
    public long HighWatermark
    {
        get => Volatile.Read(ref _highWatermark);
        set
        {
            lock (_lock)
            {
                Volatile.Write(ref _highWatermark, Math.Max(_logStartOffset, Math.Min(value, _logEndOffset)));
            }
        }
    }

    /// <summary>Offsets below this are fsynced (persisted in recovery-point-offset-checkpoint).</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Total bytes of all segments.</summary>
    public long Size
    {
        get
        {
            long size = 0;
            foreach (var s in Volatile.Read(ref _segments))
            {
                size += s.Size;
            }
            return size;
        }
    }

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>Base offsets of the segments, oldest first.</summary>
    public IReadOnlyList<long> SegmentBaseOffsets => Array.ConvertAll(Volatile.Read(ref _segments), s => s.BaseOffset);

    /// <summary>Leader epochs and their start offsets, oldest first.</summary>
    public IReadOnlyList<EpochEntry> LeaderEpochs
    {
        get
        {
            lock (_lock)
            {
                return [.. _epochs.Entries];
            }
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private LogSegment Active => _segments[^1];

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/> (the partition directory itself).
    /// Without a clean shutdown, every segment from the one holding the recovery point onwards is
    /// validated batch by batch and truncated at the first bad byte; missing or corrupt indexes
    /// are rebuilt.
    /// </summary>
    public static PartitionLog Open(string directory, TopicPartition tp, LogConfig config, LogLoadState? state = null, TimeProvider? time = null)
    {
        var load = state ?? LogLoadState.Unknown;
        time ??= TimeProvider.System;
        System.IO.Directory.CreateDirectory(directory);
        var bases = ScanDirectory(directory);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var segments = new List<LogSegment>(bases.Count + 1);
        var recovered = false;
        for (var i = 0; i < bases.Count; i++)
        {
            var isLast = i == bases.Count - 1;
            var recover = !load.CleanShutdown && (isLast || bases[i + 1] > load.RecoveryPoint);
            recovered |= recover;
            var segment = LogSegment.Open(directory, bases[i], config, recover, out var truncated);
            segments.Add(segment);
            if (truncated > 0 && !isLast)
            {
                // Everything after a torn segment was written later and cannot be trusted.
                foreach (var later in bases.Skip(i + 1))
                {
                    DeleteSegmentFiles(directory, later);
                }
                break;
            }
        }
        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(directory, Math.Max(0, load.LogStartOffset), config, nowMs));
        }

        var logEnd = segments[^1].NextOffset;
        var logStart = Math.Max(load.LogStartOffset, segments[0].BaseOffset);
        if (logStart > logEnd)
        {
            // DeleteRecords moved the start past everything kept on disk: start afresh there.
            foreach (var s in segments)
            {
                s.DeleteFiles();
            }
            segments = [LogSegment.Create(directory, logStart, config, nowMs)];
            logEnd = logStart;
        }
        if (recovered)
        {
            foreach (var s in segments)
            {
                s.Flush(fsync: true);
            }
        }

        var epochs = LeaderEpochCache.Load(directory);
        epochs.TruncateFromEnd(logEnd);
        epochs.TruncateFromStart(logStart);
        var log = new PartitionLog(directory, tp, config, time, [.. segments], epochs)
        {
            _logEndOffset = logEnd,
            _logStartOffset = logStart,
            _highWatermark = logEnd,
            _recoveryPoint = logEnd,
        };
        log.LoadProducerState();
        return log;
    }

    /// <summary>
    /// Segment base offsets on disk; removes leftovers of interrupted deletes, writes and
    /// cleanings, and completes an interrupted compaction swap.
    /// </summary>
    private static List<long> ScanDirectory(string directory)
    {
        var bases = new List<long>();
        var indexBases = new List<(long Base, string Path)>();
        var swaps = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (LogFileNames.TryParseBaseOffset(name, LogFileNames.LogSuffix + LogFileNames.SwapSuffix, out var swap))
            {
                swaps.Add(swap);
            }
            else if (name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.TempSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
            }
            else if (LogFileNames.TryParseBaseOffset(name, LogFileNames.LogSuffix, out var b))
            {
                bases.Add(b);
            }
            else if (LogFileNames.TryParseBaseOffset(name, LogFileNames.IndexSuffix, out b)
                || LogFileNames.TryParseBaseOffset(name, LogFileNames.TimeIndexSuffix, out b))
            {
                indexBases.Add((b, path));
            }
        }
        swaps.Sort();
        foreach (var swap in swaps)
        {
            CompleteSwap(directory, swap, bases);
        }
        bases.Sort();
        foreach (var (b, path) in indexBases)
        {
            if (bases.BinarySearch(b) < 0)
            {
                File.Delete(path);
            }
        }
        return bases;
    }

    /// <summary>
    /// A <c>.log.swap</c> is a finished cleaning whose swap was interrupted: the segments it replaces
    /// (base offsets within its offset range) go, and it takes their place. Indexes are rebuilt.
    /// </summary>
    private static void CompleteSwap(string directory, long baseOffset, List<long> bases)
    {
        var swapPath = LogFileNames.LogFile(directory, baseOffset) + LogFileNames.SwapSuffix;
        var next = Math.Max(baseOffset + 1, ScanNextOffset(swapPath, baseOffset));
        foreach (var b in bases.Where(b => b >= baseOffset && b < next).ToList())
        {
            DeleteSegmentFiles(directory, b);
            bases.Remove(b);
        }
        File.Delete(LogFileNames.IndexFile(directory, baseOffset));
        File.Delete(LogFileNames.TimeIndexFile(directory, baseOffset));
        File.Move(swapPath, LogFileNames.LogFile(directory, baseOffset));
        bases.Add(baseOffset);
    }

    /// <summary>Offset after the last whole batch of a segment file (header scan only).</summary>
    private static long ScanNextOffset(string path, long baseOffset)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        var next = baseOffset;
        for (long position = 0; length - position >= RecordBatchHeader.Size;)
        {
            if (SegmentFile.ReadFully(handle, scratch, position) < RecordBatchHeader.Size)
            {
                break;
            }
            var h = RecordBatchHeader.Parse(scratch);
            if (h.Magic != 2 || h.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || h.TotalSize > length - position)
            {
                break;
            }
            next = h.NextOffset;
            position += h.TotalSize;
        }
        return next;
    }

    private static void DeleteSegmentFiles(string directory, long baseOffset)
    {
        File.Delete(LogFileNames.LogFile(directory, baseOffset));
        File.Delete(LogFileNames.IndexFile(directory, baseOffset));
        File.Delete(LogFileNames.TimeIndexFile(directory, baseOffset));
    }

    /// <summary>
    /// Appends batches the broker has validated. The log assigns offsets by stamping each batch's
    /// base offset and partition leader epoch in place (and, for LogAppendTime, the timestamp type
    /// and max timestamp with a fresh CRC), then writes all of them to the active segment in one
    /// write, rolling first when segment.bytes, segment.ms or a full index require it. Batches
    /// with a producer id are checked against the producer state first (see
    /// <see cref="ProducerStateManager.Check"/>): a retried duplicate returns the original offsets
    /// with <see cref="AppendResult.IsDuplicate"/>; a sequence or epoch error throws
    /// <see cref="StorageException"/> with its Kafka error code.
    /// </summary>
    public AppendResult Append(Span<byte> batches, int leaderEpoch, long? logAppendTimeMs, AppendOrigin origin = AppendOrigin.Client)
    {
        lock (_lock)
        {
            if (_closed)
            {
                ThrowHelper.ThrowClosed(TopicPartition);
            }
            var config = _config;
            var nowMs = NowMs;
            var (offsetCount, records, maxTimestamp) = MeasureBatches(batches);
            if (batches.Length > config.SegmentBytes)
            {
                ThrowHelper.ThrowBatchTooLarge(batches.Length, config.SegmentBytes);
            }
            if (logAppendTimeMs is { } appendTime)
            {
                maxTimestamp = appendTime;
            }
            if (_producers.Check(batches, origin) is { } duplicate)
            {
                return new AppendResult(duplicate.FirstOffset, duplicate.LastOffset, logAppendTimeMs is null ? -1 : duplicate.Timestamp, _logStartOffset, IsDuplicate: true);
            }
            var firstOffset = _logEndOffset;
            var lastOffset = firstOffset + offsetCount - 1;
            MaybeRoll(config, batches.Length, maxTimestamp, lastOffset, nowMs);

            var next = firstOffset;
            for (var position = 0; position < batches.Length;)
            {
                var batch = batches[position..];
                var length = RecordBatchHeader.ReadBatchLength(batch) + RecordBatchHeader.LogOverhead;
                var current = batch[..length];
                RecordBatchHeader.SetBaseOffset(current, next);
                RecordBatchHeader.SetPartitionLeaderEpoch(current, leaderEpoch);
                if (logAppendTimeMs is { } t)
                {
                    RecordBatchHeader.SetLogAppendTime(current, t);
                }
                next += BinaryPrimitives.ReadInt32BigEndian(current[RecordBatchHeader.LastOffsetDeltaOffset..]) + 1;
                position += length;
            }

            var active = Active;
            try
            {
                active.Append(batches, nowMs);
            }
            catch (IOException)
            {
                active.DiscardUncommitted();
                throw;
            }
            _epochs.Assign(leaderEpoch, firstOffset);
            TrackProducers(batches);
            Volatile.Write(ref _logEndOffset, lastOffset + 1);
            _unflushedMessages += records;
            if (_unflushedMessages >= config.FlushMessages)
            {
                FlushLocked();
            }
            return new AppendResult(firstOffset, lastOffset, logAppendTimeMs ?? -1, _logStartOffset);
        }
    }

    /// <summary>Checks the framing of the batches; returns offsets spanned, records and max timestamp.</summary>
    private static (long Offsets, long Records, long MaxTimestamp) MeasureBatches(ReadOnlySpan<byte> batches)
    {
        if (batches.Length < RecordBatchHeader.Size)
        {
            ThrowHelper.ThrowInvalidBatches("shorter than one batch header");
        }
        long offsets = 0, records = 0, maxTimestamp = -1;
        for (var position = 0; position < batches.Length;)
        {
            var rest = batches[position..];
            if (rest.Length < RecordBatchHeader.Size)
            {
                ThrowHelper.ThrowInvalidBatches("trailing bytes after the last batch");
            }
            var h = RecordBatchHeader.Parse(rest);
            if (h.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || h.BatchLength > rest.Length - RecordBatchHeader.LogOverhead)
            {
                ThrowHelper.ThrowInvalidBatches("batch length out of range");
            }
            if (h.Magic != 2 || h.LastOffsetDelta < 0)
            {
                ThrowHelper.ThrowInvalidBatches("not a magic v2 batch");
            }
            offsets += h.LastOffsetDelta + 1L;
            records += h.RecordCount;
            maxTimestamp = Math.Max(maxTimestamp, h.MaxTimestamp);
            position += h.TotalSize;
        }
        return (offsets, records, maxTimestamp);
    }

    private void MaybeRoll(LogConfig config, int appendSize, long maxTimestamp, long lastOffset, long nowMs)
    {
        var active = Active;
        if (active.Size == 0)
        {
            return;
        }
        var waited = active.RollingBaseTimestamp >= 0 && maxTimestamp >= 0
            ? maxTimestamp - active.RollingBaseTimestamp
            : nowMs - active.CreatedMs;
        if (active.Size > config.SegmentBytes - appendSize
            || waited > config.SegmentMs
            || active.IsIndexFull
            || lastOffset - active.BaseOffset > int.MaxValue)
        {
            RollLocked(nowMs);
        }
    }

    /// <summary>Closes the active segment for appends (fsyncing it) and starts a new one at the log end.</summary>
    public void Roll()
    {
        lock (_lock)
        {
            RollLocked(NowMs);
        }
    }

    private void RollLocked(long nowMs)
    {
        var active = Active;
        if (active.Size == 0)
        {
            return;
        }
        var fresh = LogSegment.Create(Directory, _logEndOffset, _config, nowMs);
        active.OnBecomeInactive();
        _producers.TakeSnapshot(fresh.BaseOffset);
        Volatile.Write(ref _segments, [.. _segments, fresh]);
        Volatile.Write(ref _recoveryPoint, Math.Max(_recoveryPoint, fresh.BaseOffset));
    }

    /// <summary>
    /// fsyncs everything appended so far and advances the recovery point to that log end. The
    /// fsync runs outside the writer lock, so appends continue meanwhile.
    /// </summary>
    public void Flush()
    {
        List<LogSegment> dirty = [];
        long upTo, truncations, messages;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            upTo = _logEndOffset;
            messages = _unflushedMessages;
            truncations = _truncations;
            foreach (var s in _segments)
            {
                if (s.NextOffset > _recoveryPoint || s == Active)
                {
                    s.Flush(fsync: false);
                    dirty.Add(s);
                }
            }
        }
        try
        {
            foreach (var s in dirty)
            {
                s.Fsync();
            }
        }
        catch (ObjectDisposedException)
        {
            // A segment was deleted meanwhile; its data no longer needs to be durable.
        }
        lock (_lock)
        {
            if (truncations == _truncations && upTo > _recoveryPoint)
            {
                Volatile.Write(ref _recoveryPoint, upTo);
            }
            _unflushedMessages -= messages;
            _lastFlushMs = NowMs;
        }
    }

    private void FlushLocked()
    {
        foreach (var s in _segments)
        {
            if (s.NextOffset > _recoveryPoint || s == Active)
            {
                s.Flush(fsync: true);
            }
        }
        Volatile.Write(ref _recoveryPoint, _logEndOffset);
        _unflushedMessages = 0;
        _lastFlushMs = NowMs;
    }

    /// <summary>Flushes when flush.ms has passed since the last flush (called by the log manager).</summary>
    public void FlushIfDue(long nowMs)
    {
        bool due;
        lock (_lock)
        {
            due = !_closed && _config.FlushMs != long.MaxValue && nowMs - _lastFlushMs >= _config.FlushMs;
        }
        if (due)
        {
            Flush();
        }
    }

    public void UpdateConfig(LogConfig config) => Volatile.Write(ref _config, config);

    /// <summary>OffsetsForLeaderEpoch: (largest epoch at or below the asked one, its end offset); (-1, -1) if unknown.</summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch)
    {
        lock (_lock)
        {
            return _epochs.EndOffsetFor(epoch, _logEndOffset);
        }
    }

    /// <summary>Flushes and closes all files; the log manager then records a clean shutdown.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            Active.OnBecomeInactive();
            FlushLocked();
            _producers.TakeSnapshot(_logEndOffset);
            foreach (var s in _segments)
            {
                s.Dispose();
            }
            _closed = true;
        }
        DeletePendingNow();
    }

    public void Dispose() => Close();

    /// <summary>Closes the log and removes its directory.</summary>
    public void Delete()
    {
        lock (_lock)
        {
            foreach (var s in _segments)
            {
                s.Dispose();
            }
            _closed = true;
        }
        DeletePendingNow();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
