using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Strom.Protocol.Records;
using Strom.Storage.Formats;

namespace Strom.Storage.Segments;

/// <summary>
/// One segment: <c>&lt;base offset&gt;.log</c> holding record batches exactly as stored, plus its
/// sparse <c>.index</c> and <c>.timeindex</c>. Appends come from the log's single writer; reads
/// are lock-free and see only bytes below the published <see cref="Size"/>.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    private readonly SafeFileHandle _log;
    private string _logPath;
    private readonly SegmentIndex<OffsetIndexEntry> _offsetIndex;
    private readonly SegmentIndex<TimeIndexEntry> _timeIndex;
    private readonly int _indexIntervalBytes;
    private int _size;
    private int _bytesSinceLastIndexEntry;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp = -1;
    private long _rollingBaseTimestamp = -1;
    private long _lastModifiedMs;

    private LogSegment(string dir, long baseOffset, LogConfig config, SafeFileHandle log, long createdMs, string suffix = "")
    {
        BaseOffset = baseOffset;
        _nextOffset = baseOffset;
        _log = log;
        _logPath = LogFileNames.LogFile(dir, baseOffset) + suffix;
        _offsetIndex = new(LogFileNames.IndexFile(dir, baseOffset) + suffix, config.SegmentIndexBytes);
        _timeIndex = new(LogFileNames.TimeIndexFile(dir, baseOffset) + suffix, config.SegmentIndexBytes);
        _indexIntervalBytes = config.IndexIntervalBytes;
        CreatedMs = createdMs;
        _lastModifiedMs = createdMs;
    }

    public long BaseOffset { get; }

    /// <summary>Wall-clock creation time, the fallback for segment.ms when batches carry no timestamp.</summary>
    public long CreatedMs { get; }

    /// <summary>Committed bytes; readers never look past this.</summary>
    public int Size => Volatile.Read(ref _size);

    /// <summary>Offset after the last batch (the base offset when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>Last offset of the first batch that carries <see cref="MaxTimestamp"/>.</summary>
    public long OffsetOfMaxTimestamp => Volatile.Read(ref _offsetOfMaxTimestamp);

    /// <summary>First batch's max timestamp, the base for segment.ms rolling (-1 when none).</summary>
    public long RollingBaseTimestamp => _rollingBaseTimestamp;

    /// <summary>Newest timestamp for retention: the max batch timestamp, else last append time.</summary>
    public long LargestTimestamp => _maxTimestamp >= 0 ? _maxTimestamp : _lastModifiedMs;

    public bool IsIndexFull => _offsetIndex.IsFull || _timeIndex.IsFull;

    internal int OffsetIndexCount => _offsetIndex.Count;

    internal int TimeIndexCount => _timeIndex.Count;

    public static LogSegment Create(string dir, long baseOffset, LogConfig config, long nowMs)
    {
        var handle = OpenLog(LogFileNames.LogFile(dir, baseOffset), FileMode.Create);
        var segment = new LogSegment(dir, baseOffset, config, handle, nowMs);
        segment._offsetIndex.Reset();
        segment._timeIndex.Reset();
        return segment;
    }

    /// <summary>
    /// Opens an existing segment. With <paramref name="recover"/>, or when an index is missing or
    /// corrupt, every batch is validated and indexes are rebuilt; returns bytes truncated.
    /// </summary>
    public static LogSegment Open(string dir, long baseOffset, LogConfig config, bool recover, out long truncatedBytes)
    {
        var path = LogFileNames.LogFile(dir, baseOffset);
        var handle = OpenLog(path, FileMode.Open);
        var segment = new LogSegment(dir, baseOffset, config, handle, new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeMilliseconds());
        truncatedBytes = 0;
        if (recover || !segment.TryLoadIndexesAndTail())
        {
            truncatedBytes = segment.Recover();
        }
        return segment;
    }

    /// <summary>
    /// Opens a segment the cleaner wrote as <c>&lt;base&gt;.log.cleaned</c>: validates it and builds its
    /// indexes (also <c>.cleaned</c>), fsynced, ready for <see cref="MoveFiles"/> into place.
    /// </summary>
    public static LogSegment OpenCleaned(string dir, long baseOffset, LogConfig config, long nowMs)
    {
        var handle = OpenLog(LogFileNames.LogFile(dir, baseOffset) + LogFileNames.CleanedSuffix, FileMode.Open);
        var segment = new LogSegment(dir, baseOffset, config, handle, nowMs, LogFileNames.CleanedSuffix);
        try
        {
            segment.Recover();
            segment.MaybeAppendTimeIndex();
            segment.Flush(fsync: true);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
        return segment;
    }

    /// <summary>Renames the log file and both indexes to their names plus the given suffixes (empty: the final names).</summary>
    public void MoveFiles(string dir, string logSuffix, string indexSuffix)
    {
        var log = LogFileNames.LogFile(dir, BaseOffset) + logSuffix;
        if (log != _logPath)
        {
            File.Move(_logPath, log, overwrite: true);
            _logPath = log;
        }
        _offsetIndex.Rename(LogFileNames.IndexFile(dir, BaseOffset) + indexSuffix);
        _timeIndex.Rename(LogFileNames.TimeIndexFile(dir, BaseOffset) + indexSuffix);
    }

    private static SafeFileHandle OpenLog(string path, FileMode mode) =>
        File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Appends already-stamped batches at the end of the file and indexes them.</summary>
    public void Append(ReadOnlySpan<byte> batches, long nowMs)
    {
        var start = _size;
        RandomAccess.Write(_log, batches, start);
        for (var offset = 0; offset < batches.Length;)
        {
            var batch = batches[offset..];
            var length = RecordBatchHeader.ReadBatchLength(batch) + RecordBatchHeader.LogOverhead;
            var lastOffset = RecordBatchHeader.ReadBaseOffset(batch)
                + BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]);
            var maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..]);
            OnBatch(start + offset, length, lastOffset, maxTimestamp);
            offset += length;
        }
        _lastModifiedMs = nowMs;
        Volatile.Write(ref _size, start + batches.Length);
    }

    /// <summary>Index bookkeeping for a batch at <paramref name="position"/> (append and rebuild).</summary>
    private void OnBatch(int position, int length, long lastOffset, long maxTimestamp)
    {
        if (position == 0)
        {
            _rollingBaseTimestamp = maxTimestamp;
        }
        if (maxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _offsetOfMaxTimestamp, lastOffset);
            Volatile.Write(ref _maxTimestamp, maxTimestamp);
        }
        if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
        {
            _offsetIndex.Append(new OffsetIndexEntry((int)(lastOffset - BaseOffset), position));
            MaybeAppendTimeIndex();
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += length;
        Volatile.Write(ref _nextOffset, lastOffset + 1);
    }

    private void MaybeAppendTimeIndex()
    {
        if (_maxTimestamp >= 0 && (_timeIndex.Last is not { } last || _maxTimestamp > last.Timestamp))
        {
            _timeIndex.Append(new TimeIndexEntry(_maxTimestamp, (int)(_offsetOfMaxTimestamp - BaseOffset)));
        }
    }

    /// <summary>Loads both indexes and scans headers after the last index entry; false if anything is off.</summary>
    private bool TryLoadIndexesAndTail()
    {
        var fileLength = RandomAccess.GetLength(_log);
        if (fileLength > int.MaxValue || !_offsetIndex.TryLoad() || !_timeIndex.TryLoad())
        {
            return false;
        }
        _size = (int)fileLength;
        if (_offsetIndex.Last is { } lastEntry && lastEntry.Position >= _size)
        {
            return false;
        }
        return TryScanTail();
    }

    /// <summary>
    /// Restores next offset, max timestamp and the index cursor from the indexes plus a header
    /// scan of the batches after the last offset index entry (no CRC check: the data was flushed).
    /// </summary>
    private bool TryScanTail()
    {
        var start = _offsetIndex.Last?.Position ?? 0;
        _maxTimestamp = -1;
        _offsetOfMaxTimestamp = -1;
        if (_timeIndex.Last is { } t)
        {
            _maxTimestamp = t.Timestamp;
            _offsetOfMaxTimestamp = BaseOffset + t.RelativeOffset;
        }
        _nextOffset = BaseOffset;
        _rollingBaseTimestamp = -1;
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        for (var position = start; position < _size;)
        {
            if (!TryReadHeader(position, _size, scratch, out var h) || h.Magic != 2 || h.LastOffsetDelta < 0
                || h.BaseOffset < BaseOffset || h.LastOffset - BaseOffset > int.MaxValue)
            {
                return false;
            }
            if (h.MaxTimestamp > _maxTimestamp)
            {
                _maxTimestamp = h.MaxTimestamp;
                _offsetOfMaxTimestamp = h.LastOffset;
            }
            _nextOffset = h.NextOffset;
            position += h.TotalSize;
        }
        if (_size > 0)
        {
            if (!TryReadHeader(0, _size, scratch, out var first))
            {
                return false;
            }
            _rollingBaseTimestamp = first.MaxTimestamp;
        }
        var lastRelative = _nextOffset - 1 - BaseOffset;
        if ((_offsetIndex.Last is { } o && o.RelativeOffset > lastRelative)
            || (_timeIndex.Last is { } ti && ti.RelativeOffset > lastRelative))
        {
            return false;
        }
        _bytesSinceLastIndexEntry = _size - start;
        return true;
    }

    /// <summary>
    /// Validates every batch (length within the file, magic 2, offsets increasing, CRC) and
    /// rebuilds both indexes; truncates the file at the first invalid byte. Returns bytes dropped.
    /// </summary>
    public long Recover()
    {
        _offsetIndex.Reset();
        _timeIndex.Reset();
        _maxTimestamp = -1;
        _offsetOfMaxTimestamp = -1;
        _rollingBaseTimestamp = -1;
        _bytesSinceLastIndexEntry = 0;
        _nextOffset = BaseOffset;
        var fileLength = RandomAccess.GetLength(_log);
        var limit = Math.Min(fileLength, int.MaxValue);
        long valid = 0;
        var reader = new ChunkReader(_log, limit);
        try
        {
            var minBaseOffset = BaseOffset;
            while (limit - valid >= RecordBatchHeader.Size)
            {
                var header = reader.Get(valid, RecordBatchHeader.Size);
                if (header.IsEmpty)
                {
                    break;
                }
                var h = RecordBatchHeader.Parse(header);
                long total = (long)h.BatchLength + RecordBatchHeader.LogOverhead;
                if (h.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || total > limit - valid
                    || h.Magic != 2 || h.BaseOffset < minBaseOffset || h.LastOffsetDelta < 0
                    || h.LastOffset - BaseOffset > int.MaxValue)
                {
                    break;
                }
                var batch = reader.Get(valid, (int)total);
                if (batch.IsEmpty || !RecordBatchHeader.IsCrcValid(batch))
                {
                    break;
                }
                OnBatch((int)valid, (int)total, h.LastOffset, h.MaxTimestamp);
                minBaseOffset = h.NextOffset;
                valid += total;
            }
        }
        finally
        {
            reader.Dispose();
        }
        if (valid < fileLength)
        {
            RandomAccess.SetLength(_log, valid);
        }
        Volatile.Write(ref _size, (int)valid);
        return fileLength - valid;
    }

    /// <summary>Reads a batch header at a position; false when it does not fit below <paramref name="end"/>.</summary>
    public bool TryReadHeader(int position, int end, Span<byte> scratch, out RecordBatchHeader header)
    {
        header = default;
        if (end - position < RecordBatchHeader.Size
            || SegmentFile.ReadFully(_log, scratch[..RecordBatchHeader.Size], position) < RecordBatchHeader.Size)
        {
            return false;
        }
        header = RecordBatchHeader.Parse(scratch);
        return header.BatchLength >= RecordBatchHeader.Size - RecordBatchHeader.LogOverhead
            && header.TotalSize <= end - position;
    }

    /// <summary>The first batch whose last offset is at or above <paramref name="offset"/>, below <paramref name="end"/>.</summary>
    public bool TryFindBatch(long offset, int end, out int position, out RecordBatchHeader header)
    {
        var i = _offsetIndex.FindLastAtOrBelow(offset - BaseOffset);
        position = i >= 0 ? _offsetIndex[i].Position : 0;
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        while (TryReadHeader(position, end, scratch, out header))
        {
            if (header.LastOffset >= offset)
            {
                return true;
            }
            position += header.TotalSize;
        }
        return false;
    }

    /// <summary>The first batch at or after <paramref name="minOffset"/> whose max timestamp is at or above <paramref name="timestamp"/>.</summary>
    public bool TryFindByTimestamp(long timestamp, long minOffset, int end, out int position, out RecordBatchHeader header)
    {
        var t = timestamp == long.MinValue ? -1 : _timeIndex.FindLastAtOrBelow(timestamp - 1);
        var startOffset = Math.Max(minOffset, t >= 0 ? BaseOffset + _timeIndex[t].RelativeOffset : BaseOffset);
        var i = _offsetIndex.FindLastAtOrBelow(startOffset - BaseOffset);
        position = i >= 0 ? _offsetIndex[i].Position : 0;
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        while (TryReadHeader(position, end, scratch, out header))
        {
            if (header.LastOffset >= minOffset && header.MaxTimestamp >= timestamp)
            {
                return true;
            }
            position += header.TotalSize;
        }
        return false;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at a position; returns bytes read.</summary>
    public int Read(Span<byte> destination, int position) => SegmentFile.ReadFully(_log, destination, position);

    /// <summary>
    /// Drops every batch whose last offset is at or above <paramref name="offset"/> (a batch holding
    /// the offset goes entirely); returns bytes dropped.
    /// </summary>
    public int TruncateTo(long offset)
    {
        var size = _size;
        if (!TryFindBatch(offset, size, out var position, out _))
        {
            return 0;
        }
        var relative = (int)Math.Clamp(offset - BaseOffset, 0, int.MaxValue);
        _offsetIndex.TruncateFromRelativeOffset(relative);
        _timeIndex.TruncateFromRelativeOffset(relative);
        RandomAccess.SetLength(_log, position);
        Volatile.Write(ref _size, position);
        if (!TryScanTail())
        {
            Recover();
        }
        return size - position;
    }

    /// <summary>Cuts bytes a failed write may have left past the committed size.</summary>
    public void DiscardUncommitted()
    {
        try
        {
            RandomAccess.SetLength(_log, _size);
        }
        catch (IOException)
        {
            // The disk is failing; recovery truncates the tail on the next open.
        }
    }

    /// <summary>Called when a newer segment takes over appends: final time index entry, flush.</summary>
    public void OnBecomeInactive()
    {
        MaybeAppendTimeIndex();
        Flush(fsync: true);
    }

    public void Flush(bool fsync)
    {
        _offsetIndex.Flush(fsync);
        _timeIndex.Flush(fsync);
        if (fsync)
        {
            RandomAccess.FlushToDisk(_log);
        }
    }

    /// <summary>fsyncs the log and index files; needs no lock (pair with <c>Flush(fsync: false)</c> under it).</summary>
    public void Fsync()
    {
        RandomAccess.FlushToDisk(_log);
        _offsetIndex.Fsync();
        _timeIndex.Fsync();
    }

    /// <summary>Renames the files to <c>.deleted</c>; readers holding the segment keep working until disposal.</summary>
    public void RenameForDeletion()
    {
        var deletedLog = _logPath + LogFileNames.DeletedSuffix;
        File.Move(_logPath, deletedLog, overwrite: true);
        _logPath = deletedLog;
        _offsetIndex.Rename(_offsetIndex.Path + LogFileNames.DeletedSuffix);
        _timeIndex.Rename(_timeIndex.Path + LogFileNames.DeletedSuffix);
    }

    public void DeleteFiles()
    {
        Dispose();
        File.Delete(_logPath);
        _offsetIndex.DeleteFile();
        _timeIndex.DeleteFile();
    }

    public void Dispose()
    {
        _log.Dispose();
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
    }
}
