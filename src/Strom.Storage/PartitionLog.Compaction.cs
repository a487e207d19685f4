using Strom.Storage.Cleaner;
using Strom.Storage.Formats;
using Strom.Storage.Segments;

namespace Strom.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Earliest time a tombstone kept by the last cleaning may go; a pass is due then.</summary>
    private long _tombstoneDueMs = long.MaxValue;

    /// <summary>
    /// One log-compaction pass (cleanup.policy=compact). The cleanable range is the non-active
    /// segments wholly below the high watermark and older than min.compaction.lag.ms; its part at
    /// or after <paramref name="firstDirtyOffset"/> is dirty. A pass runs when dirty bytes reach
    /// min.cleanable.dirty.ratio of the range, when the oldest dirty batch is older than
    /// max.compaction.lag.ms, when a kept tombstone has expired, or when <paramref name="force"/>d.
    /// It maps each key of the dirty section to its latest offset, rewrites the whole range in
    /// groups of adjacent segments (each group at most segment.bytes), and swaps each group in
    /// under the writer lock: <c>.cleaned</c> renamed to <c>.swap</c>, the old segments retired, the
    /// swap renamed into place. Offsets of surviving records never change; the active segment is
    /// never touched. Reads run without the lock, appends continue meanwhile.
    /// </summary>
    public CleanResult Clean(long firstDirtyOffset, long nowMs, bool force = false, CancellationToken cancellationToken = default)
    {
        LogSegment[] segments;
        LogConfig config;
        long highWatermark;
        lock (_lock)
        {
            if (_closed)
            {
                return CleanResult.Nothing(firstDirtyOffset);
            }
            segments = _segments;
            config = _config;
            highWatermark = _highWatermark;
        }
        if (!config.Compact)
        {
            return CleanResult.Nothing(firstDirtyOffset);
        }
        var end = 0;
        while (end < segments.Length - 1
            && segments[end].NextOffset <= highWatermark
            && (config.MinCompactionLagMs <= 0 || nowMs - segments[end].LargestTimestamp >= config.MinCompactionLagMs))
        {
            end++;
        }
        if (end == 0)
        {
            return CleanResult.Nothing(firstDirtyOffset);
        }
        var dirtyStart = 0;
        long cleanBytes = 0, dirtyBytes = 0;
        while (dirtyStart < end && segments[dirtyStart].NextOffset <= firstDirtyOffset)
        {
            cleanBytes += segments[dirtyStart++].Size;
        }
        for (var i = dirtyStart; i < end; i++)
        {
            dirtyBytes += segments[i].Size;
        }
        if (!force && !IsCleaningDue(segments, dirtyStart, end, cleanBytes, dirtyBytes, config, nowMs))
        {
            return CleanResult.Nothing(firstDirtyOffset);
        }

        var cleaner = new SegmentCleaner(config, nowMs, ProducerLastOffsets(), cancellationToken);
        var map = new KeyOffsetMap();
        for (var i = dirtyStart; i < end; i++)
        {
            cleaner.AddToMap(segments[i], map);
        }
        long read = 0, written = 0;
        foreach (var group in GroupForCleaning(segments, end, config))
        {
            var cleaned = cleaner.CleanGroup(Directory, group, map);
            if (!SwapIn(group, cleaned))
            {
                return CleanResult.Nothing(firstDirtyOffset);
            }
            read += group.Sum(s => (long)s.Size);
            written += cleaned.Size;
        }
        Volatile.Write(ref _tombstoneDueMs, cleaner.NextTombstoneDueMs);
        return new CleanResult(true, segments[end].BaseOffset, read, written, cleaner.RecordsRemoved);
    }

    private bool IsCleaningDue(LogSegment[] segments, int dirtyStart, int end, long cleanBytes, long dirtyBytes, LogConfig config, long nowMs)
    {
        if (dirtyBytes > 0 && (double)dirtyBytes / (cleanBytes + dirtyBytes) >= config.MinCleanableDirtyRatio)
        {
            return true;
        }
        if (dirtyStart < end && config.MaxCompactionLagMs != long.MaxValue)
        {
            var first = segments[dirtyStart];
            var firstTimestamp = first.RollingBaseTimestamp >= 0 ? first.RollingBaseTimestamp : first.CreatedMs;
            if (nowMs - firstTimestamp > config.MaxCompactionLagMs)
            {
                return true;
            }
        }
        return nowMs >= Volatile.Read(ref _tombstoneDueMs);
    }

    /// <summary>Adjacent segments of [0, end) merged while the result fits one segment and its indexes.</summary>
    private static List<LogSegment[]> GroupForCleaning(LogSegment[] segments, int end, LogConfig config)
    {
        var maxIndexEntries = config.SegmentIndexBytes / 12;
        var groups = new List<LogSegment[]>();
        for (var i = 0; i < end;)
        {
            var j = i + 1;
            long size = segments[i].Size;
            long entries = Math.Max(segments[i].OffsetIndexCount, segments[i].TimeIndexCount);
            while (j < end
                && size + segments[j].Size <= config.SegmentBytes
                && entries + Math.Max(segments[j].OffsetIndexCount, segments[j].TimeIndexCount) < maxIndexEntries
                && segments[j].NextOffset - 1 - segments[i].BaseOffset <= int.MaxValue)
            {
                size += segments[j].Size;
                entries += Math.Max(segments[j].OffsetIndexCount, segments[j].TimeIndexCount);
                j++;
            }
            groups.Add(segments[i..j]);
            i = j;
        }
        return groups;
    }

    /// <summary>Replaces <paramref name="group"/> with <paramref name="cleaned"/>, unless the log changed under the cleaner.</summary>
    private bool SwapIn(LogSegment[] group, LogSegment cleaned)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_segments, group[0]);
            var valid = !_closed && index >= 0 && index + group.Length < _segments.Length;
            for (var k = 0; valid && k < group.Length; k++)
            {
                valid = _segments[index + k] == group[k];
            }
            if (!valid)
            {
                cleaned.Dispose();
                SegmentCleaner.DeleteCleanedFiles(Directory, cleaned.BaseOffset);
                return false;
            }
            // The rename to .swap commits the cleaning: from here an interrupted swap is completed at open.
            cleaned.MoveFiles(Directory, LogFileNames.SwapSuffix, LogFileNames.CleanedSuffix);
            foreach (var old in group)
            {
                RetireSegment(old);
            }
            cleaned.MoveFiles(Directory, "", "");
            Volatile.Write(ref _segments, [.. _segments[..index], cleaned, .. _segments[(index + group.Length)..]]);
            return true;
        }
    }
}
