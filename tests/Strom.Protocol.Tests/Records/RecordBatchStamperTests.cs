using Strom.Protocol.Records;

namespace Strom.Protocol.Tests.Records;

public class RecordBatchStamperTests
{
    [Fact]
    public void AssignsConsecutiveOffsetsAndLeaderEpochKeepingTheCrc()
    {
        var one = RecordTestData.Build(CompressionType.None, 3);
        var two = RecordTestData.Build(CompressionType.Snappy, 4);
        var blob = one.Concat(two).ToArray();

        var last = RecordBatchStamper.AssignOffsets(blob, firstOffset: 1000, partitionLeaderEpoch: 7, logAppendTime: null);

        Assert.Equal(1006, last);
        var reader = new RecordBatchReader(blob);
        Assert.True(reader.TryReadNext(out var a));
        Assert.True(reader.TryReadNext(out var b));
        Assert.Equal((1000L, 1002L, 7), (a.BaseOffset, a.LastOffset, a.Header.PartitionLeaderEpoch));
        Assert.Equal((1003L, 1006L, 7), (b.BaseOffset, b.LastOffset, b.Header.PartitionLeaderEpoch));
        Assert.Equal(one.AsSpan(RecordBatchHeader.CrcOffset).ToArray(), blob.AsSpan(RecordBatchHeader.CrcOffset, one.Length - RecordBatchHeader.CrcOffset).ToArray());
        Assert.Equal(Enumerable.Range(1000, 7).Select(i => (long)i), RecordBatchReader.ReadAllRecords(blob).Select(r => r.Offset));
    }

    [Fact]
    public void LogAppendTimeRewritesTimestampsAndCrc()
    {
        var blob = RecordTestData.Build(CompressionType.Lz4, 3);
        RecordBatchStamper.AssignOffsets(blob, 0, 1, logAppendTime: 1_800_000_000_000);
        Assert.True(RecordBatchHeader.IsCrcValid(blob));
        var reader = new RecordBatchReader(blob);
        Assert.True(reader.TryReadNext(out var batch));
        Assert.Equal(TimestampType.LogAppendTime, batch.TimestampType);
        Assert.All(batch.Records, r => Assert.Equal(1_800_000_000_000, r.Timestamp));
    }

    [Fact]
    public void RejectsPartialOrLegacyInput()
    {
        var batch = RecordTestData.Build(CompressionType.None, 2);
        Assert.Throws<RecordFormatException>(() => RecordBatchStamper.AssignOffsets(batch.AsSpan(0, batch.Length - 1), 0, 0, null));
        Assert.Throws<RecordFormatException>(() => RecordBatchStamper.AssignOffsets(RecordTestData.Load("v1-none.bin"), 0, 0, null));
    }
}
