using System.Buffers;
using System.Text;
using Strom.Storage.Formats;

namespace Strom.Storage.Tests;

/// <summary>Freezes the bytes of every on-disk format: changing them breaks existing log dirs.</summary>
public class FormatGoldenTests
{
    [Fact]
    public void OffsetIndexEntryBytes()
    {
        Assert.Equal(8, OffsetIndexEntry.Size);
        var bytes = new byte[OffsetIndexEntry.Size];
        new OffsetIndexEntry(0x01020304, 0x0A0B0C0D).Format(bytes);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D }, bytes);
        Assert.Equal(new OffsetIndexEntry(0x01020304, 0x0A0B0C0D), OffsetIndexEntry.Parse(bytes));
    }

    [Fact]
    public void TimeIndexEntryBytes()
    {
        Assert.Equal(12, TimeIndexEntry.Size);
        var bytes = new byte[TimeIndexEntry.Size];
        new TimeIndexEntry(0x0000018F_2A3B4C5D, 7).Format(bytes);
        Assert.Equal(new byte[] { 0, 0, 1, 0x8F, 0x2A, 0x3B, 0x4C, 0x5D, 0, 0, 0, 7 }, bytes);
        Assert.Equal(new TimeIndexEntry(0x0000018F_2A3B4C5D, 7), TimeIndexEntry.Parse(bytes));
    }

    [Fact]
    public void OffsetCheckpointText()
    {
        var buffer = new ArrayBufferWriter<byte>();
        OffsetCheckpointFile.Format(buffer, [KeyValuePair.Create(new TopicPartition("orders", 0), 1200L), KeyValuePair.Create(new TopicPartition("my-topic", 11), 5L)]);
        Assert.Equal("0\n2\norders 0 1200\nmy-topic 11 5\n", Encoding.UTF8.GetString(buffer.WrittenSpan));

        var parsed = OffsetCheckpointFile.Parse(buffer.WrittenSpan);
        Assert.Equal(1200, parsed[new TopicPartition("orders", 0)]);
        Assert.Equal(5, parsed[new TopicPartition("my-topic", 11)]);
    }

    [Theory]
    [InlineData("1\n0\n")]
    [InlineData("0\n2\norders 0 5\n")]
    [InlineData("0\n1\norders x 5\n")]
    [InlineData("0\n1\norders 0\n")]
    [InlineData("0\n1\norders 0 5\nextra 1 2\n")]
    [InlineData("")]
    public void CorruptOffsetCheckpointIsRejected(string text) =>
        Assert.Throws<StorageException>(() => OffsetCheckpointFile.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void LeaderEpochCheckpointText()
    {
        var buffer = new ArrayBufferWriter<byte>();
        LeaderEpochCheckpointFile.Format(buffer, [new EpochEntry(0, 0), new EpochEntry(3, 1500)]);
        Assert.Equal("0\n2\n0 0\n3 1500\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(3, 1500)], LeaderEpochCheckpointFile.Parse(buffer.WrittenSpan));
    }

    [Fact]
    public void SegmentFileNames()
    {
        Assert.Equal("00000000000000000042.log", Path.GetFileName(LogFileNames.LogFile("/x", 42)));
        Assert.Equal("00000000000000001000.index", Path.GetFileName(LogFileNames.IndexFile("/x", 1000)));
        Assert.Equal("09223372036854775807.timeindex", Path.GetFileName(LogFileNames.TimeIndexFile("/x", long.MaxValue)));
        Assert.True(LogFileNames.TryParseBaseOffset("00000000000000000042.log", ".log", out var b));
        Assert.Equal(42, b);
        Assert.False(LogFileNames.TryParseBaseOffset("0000000000000000042.log", ".log", out _));
        Assert.False(LogFileNames.TryParseBaseOffset("00000000000000000042.log.deleted", ".log", out _));
    }

    [Theory]
    [InlineData("orders-0", "orders", 0)]
    [InlineData("my-topic-12", "my-topic", 12)]
    public void PartitionDirectoryNames(string name, string topic, int partition)
    {
        Assert.True(TopicPartition.TryParseDirectoryName(name, out var tp));
        Assert.Equal(new TopicPartition(topic, partition), tp);
        Assert.Equal(name, tp.DirectoryName);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("orders-")]
    [InlineData("-1")]
    [InlineData("orders-x")]
    public void BadPartitionDirectoryNames(string name) => Assert.False(TopicPartition.TryParseDirectoryName(name, out _));
}
