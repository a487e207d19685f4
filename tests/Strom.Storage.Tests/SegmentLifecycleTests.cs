using Strom.Protocol;
using Strom.Storage.Formats;

namespace Strom.Storage.Tests;

public class SegmentLifecycleTests : IDisposable
{
    private const long Day = 24 * 60 * 60 * 1000L;
    private readonly TempDir _tmp = new();
    private readonly ManualTime _time = new(1_700_000_000_000);
    private static readonly int BatchSize = TestBatches.Build(2).Length;

    public void Dispose() => _tmp.Dispose();

    private PartitionLog Open(LogConfig config) =>
        PartitionLog.Open(_tmp.Sub("orders-0"), LogTestExtensions.Tp, config with { FileDeleteDelayMs = 0 }, null, _time);

    [Fact]
    public void RollsBySegmentBytes()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize * 3 });
        for (var i = 0; i < 7; i++)
        {
            log.AppendBatch(2);
        }
        Assert.Equal([0L, 6, 12], log.SegmentBaseOffsets);
        Assert.Equal(7L * BatchSize, log.Size);
        Assert.Equal(14, log.ReadAll(0).Sum(h => h.RecordCount));
        Assert.True(File.Exists(LogFileNames.LogFile(log.Directory, 6)));
        Assert.True(log.RecoveryPoint >= 12);
    }

    [Fact]
    public void AppendLargerThanSegmentIsRejected()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize - 1 });
        var e = Assert.Throws<StorageException>(() => log.AppendBatch(2));
        Assert.Equal(ErrorCode.RecordListTooLarge, e.Code);
    }

    [Fact]
    public void RollsBySegmentMsUsingBatchTimestamps()
    {
        using var log = Open(LogConfig.Default with { SegmentMs = 1_000 });
        var t = _time.NowMs;
        log.AppendBatch(2, baseTimestamp: t);
        log.AppendBatch(2, baseTimestamp: t + 999);
        Assert.Equal(1, log.SegmentCount);
        log.AppendBatch(2, baseTimestamp: t + 1_500);
        Assert.Equal([0L, 4], log.SegmentBaseOffsets);
    }

    [Fact]
    public void RollsBySegmentMsUsingCreationTimeWithoutTimestamps()
    {
        using var log = Open(LogConfig.Default with { SegmentMs = 1_000 });
        log.AppendBatch(2, baseTimestamp: -1);
        _time.NowMs += 500;
        log.AppendBatch(2, baseTimestamp: -1);
        Assert.Equal(1, log.SegmentCount);
        _time.NowMs += 600;
        log.AppendBatch(2, baseTimestamp: -1);
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void RollsWhenIndexIsFull()
    {
        using var log = Open(LogConfig.Default with { IndexIntervalBytes = 1, SegmentIndexBytes = 3 * OffsetIndexEntry.Size });
        for (var i = 0; i < 10; i++)
        {
            log.AppendBatch(1);
        }
        Assert.True(log.SegmentCount >= 2);
        Assert.Equal(10, log.ReadAll(0).Count);
    }

    [Fact]
    public void RetentionByTimeDeletesExpiredSegmentsAndRollsTheActiveOne()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize * 2, RetentionMs = Day });
        var now = _time.NowMs;
        log.AppendBatch(2, baseTimestamp: now - 3 * Day);
        log.AppendBatch(2, baseTimestamp: now - 3 * Day);
        log.AppendBatch(2, baseTimestamp: now - 2 * Day); // segment 4
        log.AppendBatch(2, baseTimestamp: now - 1);
        log.AppendBatch(2, baseTimestamp: now);           // segment 8 (active)
        Assert.Equal([0L, 4, 8], log.SegmentBaseOffsets);

        Assert.Equal(1, log.ApplyRetention(now));
        Assert.Equal([4L, 8], log.SegmentBaseOffsets);
        Assert.Equal(4, log.LogStartOffset);
        Assert.False(File.Exists(LogFileNames.LogFile(log.Directory, 0)));
        Assert.False(File.Exists(LogFileNames.LogFile(log.Directory, 0) + LogFileNames.DeletedSuffix));
        using (var gone = log.Read(0, 100, long.MaxValue, true))
        {
            Assert.Equal(ErrorCode.OffsetOutOfRange, gone.Error);
        }

        // Everything expired: the active segment is rolled, then deleted; the log stays at its end.
        Assert.Equal(2, log.ApplyRetention(now + 2 * Day));
        Assert.Equal([10L], log.SegmentBaseOffsets);
        Assert.Equal(10, log.LogStartOffset);
        Assert.Equal(10, log.LogEndOffset);
        Assert.Equal(10, log.AppendBatch(1).FirstOffset);
    }

    [Fact]
    public void RetentionBySize()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize * 2, RetentionBytes = BatchSize * 3 });
        for (var i = 0; i < 7; i++)
        {
            log.AppendBatch(2, baseTimestamp: _time.NowMs);
        }
        Assert.Equal([0L, 4, 8, 12], log.SegmentBaseOffsets);
        // 7 batches, limit 3: deleting [0] leaves 5, [4] leaves 3 (>= limit still ok to delete), [8] would leave 1.
        Assert.Equal(2, log.ApplyRetention(_time.NowMs));
        Assert.Equal([8L, 12], log.SegmentBaseOffsets);
        Assert.Equal(3L * BatchSize, log.Size);
    }

    [Fact]
    public void RetentionUnlimitedKeepsEverything()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize, RetentionMs = -1, RetentionBytes = -1 });
        log.AppendBatch(2, baseTimestamp: 1);
        log.AppendBatch(2, baseTimestamp: 1);
        Assert.Equal(0, log.ApplyRetention(_time.NowMs));
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void DeletedSegmentsLingerAsDeletedFiles()
    {
        var dir = _tmp.Sub("orders-0");
        using var log = PartitionLog.Open(dir, LogTestExtensions.Tp, LogConfig.Default with { SegmentBytes = BatchSize, RetentionBytes = 0, FileDeleteDelayMs = 3_600_000 }, null, _time);
        log.AppendBatch(2);
        log.AppendBatch(2);
        Assert.Equal(2, log.ApplyRetention(_time.NowMs));
        Assert.True(File.Exists(LogFileNames.LogFile(dir, 0) + LogFileNames.DeletedSuffix));
        log.Close();
        Assert.False(File.Exists(LogFileNames.LogFile(dir, 0) + LogFileNames.DeletedSuffix));
    }

    [Fact]
    public void DeleteRecordsBeforeAdvancesStartAndDropsWholeSegments()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize * 2 });
        for (var i = 0; i < 5; i++)
        {
            log.AppendBatch(2);
        }
        Assert.Equal([0L, 4, 8], log.SegmentBaseOffsets);
        Assert.Equal(ErrorCode.OffsetOutOfRange, log.DeleteRecordsBefore(11));
        log.HighWatermark = 6;
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(5));
        Assert.Equal(5, log.LogStartOffset);
        Assert.Equal([4L, 8], log.SegmentBaseOffsets);
        using (var read = log.Read(4, 1 << 20, long.MaxValue, true))
        {
            Assert.Equal(ErrorCode.OffsetOutOfRange, read.Error);
        }
        using (var read = log.Read(5, 1 << 20, long.MaxValue, true))
        {
            Assert.Equal(4, TestBatches.Headers(read.Records.Span)[0].BaseOffset); // the batch containing 5
        }
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(3)); // lower: no-op
        Assert.Equal(5, log.LogStartOffset);
    }

    [Fact]
    public void TruncateDropsEverythingAtAndAbove()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize * 2 });
        for (var i = 0; i < 5; i++)
        {
            log.AppendBatch(2, epoch: i);
        }
        log.HighWatermark = 10;
        log.Truncate(6);
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(6, log.HighWatermark);
        Assert.Equal([0L, 4], log.SegmentBaseOffsets);
        Assert.Equal([0L, 2, 4], log.ReadAll(0).Select(h => h.BaseOffset));
        Assert.Equal([0, 1, 2], log.LeaderEpochs.Select(e => e.Epoch));
        Assert.Equal((2, 6L), log.EndOffsetForEpoch(7));
        Assert.Equal((1, 4L), log.EndOffsetForEpoch(1));

        log.Truncate(5); // inside batch [4..5]: the whole batch goes
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(4, log.AppendBatch(3, epoch: 9).FirstOffset);
        log.Close();

        using var reopened = Open(log.Config);
        Assert.Equal([0L, 2, 4], reopened.ReadAll(0).Select(h => h.BaseOffset));
        Assert.Equal([0, 1, 9], reopened.LeaderEpochs.Select(e => e.Epoch));
    }

    [Fact]
    public void FlushMessagesAdvancesTheRecoveryPoint()
    {
        using var log = Open(LogConfig.Default with { FlushMessages = 3 });
        log.AppendBatch(2);
        Assert.Equal(0, log.RecoveryPoint);
        log.AppendBatch(2);
        Assert.Equal(4, log.RecoveryPoint);
        log.AppendBatch(1);
        Assert.Equal(4, log.RecoveryPoint);
        log.Flush();
        Assert.Equal(5, log.RecoveryPoint);
    }

    [Fact]
    public void FlushMsIsCheckedAgainstTheClock()
    {
        using var log = Open(LogConfig.Default with { FlushMs = 1_000 });
        log.AppendBatch(2);
        log.FlushIfDue(_time.NowMs + 999);
        Assert.Equal(0, log.RecoveryPoint);
        log.FlushIfDue(_time.NowMs + 1_000);
        Assert.Equal(2, log.RecoveryPoint);
    }

    [Fact]
    public void TruncateToZeroEmptiesTheLog()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = BatchSize * 2 });
        for (var i = 0; i < 5; i++)
        {
            log.AppendBatch(2);
        }
        log.Truncate(0);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.Size);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(0, log.AppendBatch(1).FirstOffset);
    }
}
