using System.Buffers.Binary;
using Strom.Protocol;
using Strom.Protocol.Records;

namespace Strom.Storage.Tests;

public class ReadAppendTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly PartitionLog _log;

    public ReadAppendTests()
    {
        _log = PartitionLog.Open(_tmp.Sub("orders-0"), LogTestExtensions.Tp, LogConfig.Default with { IndexIntervalBytes = 64 });
        // Offsets: [0..4] [5..9] [10..14] [15..19], each batch 5 records.
        for (var i = 0; i < 4; i++)
        {
            _log.AppendBatch(5, baseTimestamp: 1_000 * (i + 1));
        }
    }

    public void Dispose()
    {
        _log.Close();
        _tmp.Dispose();
    }

    private int BatchSize => TestBatches.Build(5).Length;

    [Fact]
    public void AppendStampsOffsetsAndEpoch()
    {
        var batches = _log.ReadAll(0);
        Assert.Equal([0L, 5, 10, 15], batches.Select(b => b.BaseOffset));
        Assert.All(batches, b => Assert.Equal(0, b.PartitionLeaderEpoch));
        Assert.Equal(20, _log.LogEndOffset);

        var two = TestBatches.Build(3).Concat(TestBatches.Build(2)).ToArray();
        var result = _log.Append(two, leaderEpoch: 4, logAppendTimeMs: null);
        Assert.Equal(new AppendResult(20, 24, -1, 0), result);
        Assert.Equal(20, RecordBatchHeader.ReadBaseOffset(two));
        var stored = _log.ReadAll(20);
        Assert.Equal([20L, 23], stored.Select(b => b.BaseOffset));
        Assert.All(stored, b => Assert.Equal(4, b.PartitionLeaderEpoch));
        Assert.Equal([new Formats.EpochEntry(0, 0), new Formats.EpochEntry(4, 20)], _log.LeaderEpochs);
        Assert.Equal("0\n2\n0 0\n4 20\n", File.ReadAllText(Path.Combine(_log.Directory, Formats.LogFileNames.LeaderEpochCheckpoint)));
    }

    [Fact]
    public void LogAppendTimeIsStampedWithValidCrc()
    {
        var result = _log.AppendBatch(3, baseTimestamp: 5, appendTime: 777_000);
        Assert.Equal(777_000, result.LogAppendTimeMs);
        var h = Assert.Single(_log.ReadAll(20));
        Assert.True(h.IsLogAppendTime);
        Assert.Equal(777_000, h.MaxTimestamp); // ReadAll checks the CRC
    }

    [Fact]
    public void ReadStartsWithTheBatchContainingTheOffset()
    {
        for (long offset = 0; offset < 20; offset++)
        {
            using var read = _log.Read(offset, BatchSize, long.MaxValue, minOneBatch: false);
            var h = Assert.Single(TestBatches.Headers(read.Records.Span));
            Assert.Equal(offset / 5 * 5, h.BaseOffset);
        }
    }

    [Fact]
    public void MaxBytesIsHonouredWithWholeBatches()
    {
        using (var read = _log.Read(0, BatchSize * 2 + BatchSize / 2, long.MaxValue, minOneBatch: true))
        {
            Assert.Equal(2, TestBatches.Headers(read.Records.Span).Count);
        }
        using (var small = _log.Read(7, 10, long.MaxValue, minOneBatch: true))
        {
            var h = Assert.Single(TestBatches.Headers(small.Records.Span));
            Assert.Equal(5, h.BaseOffset);
        }
        using (var none = _log.Read(7, 10, long.MaxValue, minOneBatch: false))
        {
            Assert.Equal(ErrorCode.None, none.Error);
            Assert.True(none.Records.IsEmpty);
        }
    }

    [Fact]
    public void HighWatermarkBoundsTheRead()
    {
        using (var read = _log.Read(0, 1 << 20, maxOffsetExclusive: 10, minOneBatch: true))
        {
            Assert.Equal([0L, 5], TestBatches.Headers(read.Records.Span).Select(h => h.BaseOffset));
        }
        using (var read = _log.Read(12, 1 << 20, maxOffsetExclusive: 12, minOneBatch: true))
        {
            Assert.True(read.Records.IsEmpty);
        }
        _log.HighWatermark = 15;
        Assert.Equal(15, _log.HighWatermark);
        _log.HighWatermark = 99;
        Assert.Equal(20, _log.HighWatermark);
    }

    [Theory]
    [InlineData(-1, ErrorCode.OffsetOutOfRange)]
    [InlineData(21, ErrorCode.OffsetOutOfRange)]
    [InlineData(20, ErrorCode.None)]
    public void OutOfRangeAndLogEnd(long offset, ErrorCode expected)
    {
        using var read = _log.Read(offset, 1 << 20, long.MaxValue, true);
        Assert.Equal(expected, read.Error);
        Assert.True(read.Records.IsEmpty);
        Assert.Equal(20, read.LogEndOffset);
    }

    [Fact]
    public void MalformedAppendIsRejectedWithoutChangingTheLog()
    {
        var batch = TestBatches.Build(2);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), batch.Length);
        var e = Assert.Throws<StorageException>(() => _log.Append(batch, 0, null));
        Assert.Equal(ErrorCode.CorruptMessage, e.Code);
        Assert.Throws<StorageException>(() => _log.Append(new byte[10], 0, null));
        Assert.Equal(20, _log.LogEndOffset);
        Assert.Equal(20, _log.AppendBatch(1).FirstOffset);
    }

    [Fact]
    public void TimestampLookupFindsFirstBatchAtOrAfterTarget()
    {
        // Batch i (0..3) has timestamps 1000*(i+1) .. +4.
        using (var exact = _log.FindByTimestamp(2_000))
        {
            Assert.True(exact.Found);
            Assert.Equal(5, exact.BaseOffset);
            Assert.Equal(9, exact.LastOffset);
            Assert.Equal(RecordBatchHeader.Parse(exact.Batch.Span).BaseOffset, exact.BaseOffset);
        }
        using (var between = _log.FindByTimestamp(2_005))
        {
            Assert.Equal(10, between.BaseOffset);
        }
        using (var first = _log.FindByTimestamp(0))
        {
            Assert.Equal(0, first.BaseOffset);
        }
        using (var none = _log.FindByTimestamp(4_005))
        {
            Assert.False(none.Found);
        }
        _log.AppendBatch(2, baseTimestamp: 500); // older timestamps after newer ones
        using var max = _log.MaxTimestampBatch();
        Assert.Equal(15, max.BaseOffset);
        Assert.Equal(4_004, max.MaxTimestamp);
        Assert.Equal(BatchSize, max.Batch.Length);
    }

    [Fact]
    public void ReopenContinuesAtLogEnd()
    {
        _log.Close();
        using var reopened = PartitionLog.Open(_log.Directory, LogTestExtensions.Tp, _log.Config);
        Assert.Equal(20, reopened.LogEndOffset);
        Assert.Equal(20, reopened.AppendBatch(1).FirstOffset);
        Assert.Equal(21, reopened.ReadAll(0).Sum(h => h.RecordCount));
        Assert.Throws<StorageException>(() => _log.AppendBatch(1));
    }
}
