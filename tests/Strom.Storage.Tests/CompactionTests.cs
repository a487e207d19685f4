using Strom.Protocol.Records;
using Strom.Storage.Formats;
using static Strom.Storage.Tests.KeyedBatches;

namespace Strom.Storage.Tests;

public sealed class CompactionTests
{
    private static readonly LogConfig Compacted = LogConfig.Default with
    {
        Compact = true,
        Delete = false,
        SegmentBytes = 64 * 1024,
        FileDeleteDelayMs = 0,
        DeleteRetentionMs = 60_000,
    };

    private static PartitionLog OpenLog(TempDir dir, LogConfig? config = null, LogLoadState? state = null) =>
        PartitionLog.Open(dir.Path, LogTestExtensions.Tp, config ?? Compacted, state);

    /// <summary>Everything appended is committed (the broker raises the high watermark; the cleaner stays below it).</summary>
    private static PartitionLog Commit(PartitionLog log)
    {
        log.HighWatermark = log.LogEndOffset;
        return log;
    }

    /// <summary>100,000 records over 1,000 keys in batches of 100; record i has key i % 1000 and value v{i}.</summary>
    private static void Fill(PartitionLog log, int records = 100_000, int keys = 1_000, long timestamp = 1_000)
    {
        for (var start = 0; start < records; start += 100)
        {
            var batch = Build(Enumerable.Range(start, 100).Select(i => ($"key-{i % keys}", (string?)$"v{i}")), timestamp);
            log.Append(batch, 0, null);
        }
    }

    [Fact]
    public void Compaction_keeps_exactly_the_latest_value_per_key_at_its_original_offset()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        Fill(log);
        log.Roll();
        var segmentsBefore = log.SegmentCount;
        var sizeBefore = log.Size;

        var result = Commit(log).Clean(0, nowMs: 10_000);

        Assert.True(result.Cleaned);
        Assert.Equal(99_000, result.RecordsRemoved);
        Assert.Equal(log.SegmentBaseOffsets[^1], result.FirstDirtyOffset);
        var records = log.ReadRecords();
        Assert.Equal(1_000, records.Count);
        foreach (var r in records)
        {
            Assert.Equal($"v{r.Offset}", ValueOf(r));
            Assert.Equal($"key-{r.Offset % 1000}", KeyOf(r));
            Assert.True(r.Offset >= 99_000);
        }
        Assert.Equal(100_000, log.LogEndOffset);
        Assert.Equal(0, log.LogStartOffset);
        Assert.True(log.Size < sizeBefore / 50);
        // Groups are sized by their input, so the small cleaned segments merge on the next pass.
        Assert.True(Commit(log).Clean(result.FirstDirtyOffset, nowMs: 10_000, force: true).Cleaned);
        Assert.True(log.SegmentCount < segmentsBefore / 10);
        Assert.Equal(records.Select(r => r.Offset), log.ReadRecords().Select(r => r.Offset));
    }

    [Fact]
    public void Compacted_log_reads_the_same_after_reopening()
    {
        using var dir = new TempDir();
        using (var log = OpenLog(dir))
        {
            Fill(log, records: 20_000, keys: 100);
            log.Roll();
            Commit(log).Clean(0, nowMs: 10_000);
            log.Close();
        }
        using var reopened = OpenLog(dir);
        var records = reopened.ReadRecords();
        Assert.Equal(Enumerable.Range(19_900, 100).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.swap"));
    }

    [Fact]
    public void Tombstones_stay_for_delete_retention_ms_then_vanish()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Build([("a", "a1"), ("b", "b1")], timestamp: 1_000), 0, null);
        log.Append(Build([("a", null)], timestamp: 2_000), 0, null);
        log.Roll();

        var first = Commit(log).Clean(0, nowMs: 3_000);
        var afterFirst = log.ReadRecords();
        Assert.Equal([("b", "b1"), ("a", null)], afterFirst.Select(r => (KeyOf(r), ValueOf(r))));

        // Nothing new is dirty, and the tombstone is not yet due: no pass.
        Assert.False(Commit(log).Clean(first.FirstDirtyOffset, nowMs: 2_000 + 59_999).Cleaned);

        var second = Commit(log).Clean(first.FirstDirtyOffset, nowMs: 2_000 + 60_000);
        Assert.True(second.Cleaned);
        var afterSecond = log.ReadRecords();
        Assert.Equal([("b", "b1")], afterSecond.Select(r => (KeyOf(r), ValueOf(r))));
        Assert.Equal(1, afterSecond[0].Offset);
        Assert.Equal(3, log.LogEndOffset);
    }

    [Fact]
    public void The_active_segment_is_never_touched()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, Compacted with { SegmentBytes = 8 * 1024 });
        Fill(log, records: 2_000, keys: 10);
        var activeBase = log.SegmentBaseOffsets[^1];
        var activeBytes = File.ReadAllBytes(LogFileNames.LogFile(dir.Path, activeBase));
        Assert.NotEmpty(activeBytes);

        Assert.True(Commit(log).Clean(0, nowMs: 10_000).Cleaned);

        Assert.Equal(activeBase, log.SegmentBaseOffsets[^1]);
        Assert.Equal(activeBytes, File.ReadAllBytes(LogFileNames.LogFile(dir.Path, activeBase)));
        var records = log.ReadRecords();
        Assert.Equal(Enumerable.Range((int)activeBase, 2_000 - (int)activeBase).Select(i => (long)i), records.Where(r => r.Offset >= activeBase).Select(r => r.Offset));
        // Below the active segment at most one record per key remains.
        var below = records.Where(r => r.Offset < activeBase).ToList();
        Assert.Equal(below.Count, below.Select(KeyOf).Distinct().Count());
    }

    [Fact]
    public void Segments_younger_than_min_compaction_lag_are_not_cleaned()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, Compacted with { MinCompactionLagMs = 5_000 });
        log.Append(Build([("a", "1"), ("a", "2")], timestamp: 10_000), 0, null);
        log.Roll();

        Assert.False(Commit(log).Clean(0, nowMs: 14_999).Cleaned);
        Assert.Equal(2, log.ReadRecords().Count);
        Assert.True(Commit(log).Clean(0, nowMs: 15_000).Cleaned);
        Assert.Equal("2", ValueOf(Assert.Single(log.ReadRecords())));
    }

    [Fact]
    public void A_pass_waits_for_min_cleanable_dirty_ratio_unless_forced()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, Compacted with { MinCleanableDirtyRatio = 0.9 });
        Fill(log, records: 10_000, keys: 5_000);
        log.Roll();
        var first = Commit(log).Clean(0, nowMs: 10_000);
        Assert.True(first.Cleaned);
        log.Append(Build([("key-1", "new")]), 0, null);
        log.Roll();

        Assert.False(Commit(log).Clean(first.FirstDirtyOffset, nowMs: 10_000).Cleaned);
        var forced = Commit(log).Clean(first.FirstDirtyOffset, nowMs: 10_000, force: true);
        Assert.True(forced.Cleaned);
        Assert.Equal("new", ValueOf(log.ReadRecords().Single(r => KeyOf(r) == "key-1")));
    }

    [Fact]
    public void Max_compaction_lag_forces_a_pass_below_the_ratio()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, Compacted with { MinCleanableDirtyRatio = 1.0, MaxCompactionLagMs = 1_000 });
        log.Append(Build([("a", "1")], timestamp: 1_000), 0, null);
        log.Roll();
        var first = Commit(log).Clean(0, nowMs: 1_500, force: true);
        log.Append(Build([("a", "2")], timestamp: 2_000), 0, null);
        log.Roll();

        Assert.False(Commit(log).Clean(first.FirstDirtyOffset, nowMs: 2_500).Cleaned);
        Assert.True(Commit(log).Clean(first.FirstDirtyOffset, nowMs: 3_001).Cleaned);
        Assert.Equal("2", ValueOf(Assert.Single(log.ReadRecords())));
    }

    [Fact]
    public void A_partly_kept_batch_keeps_its_offsets_compression_and_producer_fields()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        var batch = Build([("a", "1"), ("b", "1"), ("c", "1")], compression: CompressionType.Gzip, producerId: 9, epoch: 2, baseSequence: 0);
        log.Append(batch, 0, null);
        log.Append(Build([("a", "2"), ("c", "2")], producerId: 9, epoch: 2, baseSequence: 3), 0, null);
        log.Roll();

        Commit(log).Clean(0, nowMs: 10_000);

        var headers = log.ReadAll(0);
        Assert.Equal(2, headers.Count);
        var h = headers[0];
        Assert.Equal(0, h.BaseOffset);
        Assert.Equal(2, h.LastOffsetDelta);
        Assert.Equal(1, h.RecordCount);
        Assert.Equal(CompressionType.Gzip, h.Compression);
        Assert.Equal((9L, (short)2, 0), (h.ProducerId, h.ProducerEpoch, h.BaseSequence));
        var records = log.ReadRecords();
        Assert.Equal([(1L, "b"), (3L, "a"), (4L, "c")], records.Select(r => (r.Offset, KeyOf(r))));
        // The producer's state, rebuilt from the cleaned log, still continues at sequence 5.
        log.Close();
        foreach (var snapshot in Directory.GetFiles(dir.Path, "*.snapshot"))
        {
            File.Delete(snapshot);
        }
        using var reopened = OpenLog(dir);
        Assert.Equal(4, reopened.FindProducer(9)!.LastSequence);
    }

    [Fact]
    public void A_producers_last_batch_is_kept_even_when_all_its_records_are_superseded()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Build([("a", "1")], producerId: 5, epoch: 0, baseSequence: 0), 0, null);
        log.Append(Build([("a", "2")]), 0, null);
        log.Roll();

        Commit(log).Clean(0, nowMs: 10_000);

        Assert.Equal([0L, 1L], log.ReadRecords().Select(r => r.Offset));
    }

    [Fact]
    public void An_interrupted_swap_is_completed_when_the_log_opens()
    {
        using var cleanedDir = new TempDir();
        using var interruptedDir = new TempDir();
        using (var log = OpenLog(cleanedDir))
        {
            Fill(log, records: 5_000, keys: 50);
            log.Roll();
            log.Close();
        }
        foreach (var file in Directory.GetFiles(cleanedDir.Path))
        {
            File.Copy(file, Path.Combine(interruptedDir.Path, Path.GetFileName(file)));
        }
        using (var log = OpenLog(cleanedDir, Compacted with { SegmentBytes = 1 << 20 }))
        {
            Commit(log).Clean(0, nowMs: 10_000);
            log.Close();
        }
        var cleanedSegments = Directory.GetFiles(cleanedDir.Path, "*.log").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, cleanedSegments.Count); // one cleaned segment for the whole range, then the active one
        // The crash came after the cleaned segment was renamed to .swap, before the old ones went.
        var first = cleanedSegments[0]!;
        File.Copy(Path.Combine(cleanedDir.Path, first), Path.Combine(interruptedDir.Path, first + LogFileNames.SwapSuffix));
        File.WriteAllBytes(Path.Combine(interruptedDir.Path, "00000000000000000000.index" + LogFileNames.CleanedSuffix), [1, 2, 3]);

        using var recovered = OpenLog(interruptedDir);

        Assert.Equal(
            Enumerable.Range(4_950, 50).Select(i => (long)i),
            recovered.ReadRecords().Select(r => r.Offset));
        Assert.Equal(5_000, recovered.LogEndOffset);
        Assert.Empty(Directory.GetFiles(interruptedDir.Path, "*.swap"));
        Assert.Empty(Directory.GetFiles(interruptedDir.Path, "*.cleaned"));
    }

    [Fact]
    public void An_unfinished_cleaning_is_discarded_at_open()
    {
        using var dir = new TempDir();
        using (var log = OpenLog(dir))
        {
            Fill(log, records: 1_000, keys: 10);
            log.Close();
        }
        File.WriteAllBytes(LogFileNames.LogFile(dir.Path, 0) + LogFileNames.CleanedSuffix, [0, 0, 0]);

        using var reopened = OpenLog(dir);

        Assert.Equal(1_000, reopened.ReadRecords().Count);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.cleaned"));
    }

    [Fact]
    public void Compact_only_logs_ignore_time_and_size_retention()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, Compacted with { RetentionMs = 1, RetentionBytes = 1 });
        Fill(log, records: 1_000, keys: 1_000);
        log.Roll();

        Assert.Equal(0, log.ApplyRetention(nowMs: 1_000_000_000));
        Assert.Equal(1_000, log.ReadRecords().Count);
        using var both = OpenLog(new TempDir(), Compacted with { RetentionMs = 1, Delete = true });
        both.AppendBatch(3);
        Assert.True(both.ApplyRetention(nowMs: 1_000_000_000) > 0);
    }

    [Fact]
    public void Appends_and_reads_continue_while_the_cleaner_runs()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, Compacted with { FileDeleteDelayMs = 60_000 });
        Fill(log, records: 20_000, keys: 100);
        log.Roll();
        // The high watermark stays at 20,000 during the appends, so the pass covers only the filled range.
        Commit(log);
        var cleaner = Task.Run(() => log.Clean(0, nowMs: 10_000));
        var appended = 0;
        while (!cleaner.IsCompleted || appended < 10)
        {
            log.Append(Build([($"key-{appended % 100}", "late")]), 0, null);
            appended++;
            Assert.NotEmpty(log.ReadBytes(log.LogStartOffset, 4096));
        }
        Assert.True(cleaner.Result.Cleaned);
        Assert.Equal(20_000 + appended, log.LogEndOffset);
        var late = log.ReadRecords().Where(r => ValueOf(r) == "late").Select(r => r.Offset).ToList();
        var expected = Enumerable.Range(20_000, appended).Select(i => (long)i).ToList();
        Assert.Equal(expected, late);
    }

    [Fact]
    public void The_log_manager_cleans_compacted_logs_and_checkpoints_the_dirty_offset()
    {
        using var dir = new TempDir();
        var config = new LogManagerConfig { LogDirs = [dir.Path] };
        long checkpoint;
        using (var manager = LogManager.Open(config, LogConfig.Default))
        {
            var compacted = manager.GetOrCreate(new TopicPartition("c", 0), Compacted);
            var plain = manager.GetOrCreate(new TopicPartition("p", 0), LogConfig.Default with { SegmentBytes = 64 * 1024 });
            Fill(compacted, records: 5_000, keys: 10);
            Fill(plain, records: 5_000, keys: 10);
            compacted.Roll();
            plain.Roll();
            Commit(compacted);
            Commit(plain);

            Assert.Equal(1, manager.RunCleaner(nowMs: 10_000));
            Assert.Equal(10, compacted.ReadRecords().Count);
            Assert.Equal(5_000, plain.ReadRecords().Count);
            checkpoint = manager.CleanerCheckpoint(compacted.TopicPartition);
            Assert.Equal(compacted.SegmentBaseOffsets[^1], checkpoint);
            manager.Close();
        }
        var text = File.ReadAllText(Path.Combine(dir.Path, LogFileNames.CleanerOffsetCheckpoint));
        Assert.Contains($"c 0 {checkpoint}", text, StringComparison.Ordinal);
        using var reopened = LogManager.Open(config, LogConfig.Default, topic => topic == "c" ? Compacted : LogConfig.Default);
        Assert.Equal(checkpoint, reopened.CleanerCheckpoint(new TopicPartition("c", 0)));
        Assert.Equal(0, reopened.RunCleaner(nowMs: 10_000));
    }
}
