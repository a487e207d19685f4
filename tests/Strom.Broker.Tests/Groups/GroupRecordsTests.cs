using Strom.Broker.Groups;
using Strom.Storage;

namespace Strom.Broker.Tests.Groups;

/// <summary>Freezes the __consumer_offsets formats (they are Kafka's, and they are on disk).</summary>
public sealed class GroupRecordsTests
{
    [Fact]
    public void Offset_commit_key_is_version_1_group_topic_partition()
    {
        var key = GroupRecords.OffsetCommitKey("g", new TopicPartition("t", 5));
        Assert.Equal(Convert.FromHexString("0001" + "0001" + "67" + "0001" + "74" + "00000005"), key);
    }

    [Fact]
    public void Group_metadata_key_is_version_2_group()
    {
        Assert.Equal(Convert.FromHexString("0002" + "0002" + "6162"), GroupRecords.GroupMetadataKey("ab"));
    }

    [Fact]
    public void Offset_commit_value_is_version_3_without_expiry_and_1_with_it()
    {
        var v3 = GroupRecords.OffsetCommitValue(new CommittedOffset(0x10, 2, "m", 0x20));
        Assert.Equal(Convert.FromHexString("0003" + "0000000000000010" + "00000002" + "0001" + "6D" + "0000000000000020"), v3);
        var v1 = GroupRecords.OffsetCommitValue(new CommittedOffset(0x10, 2, "", 0x20, 0x30));
        Assert.Equal(Convert.FromHexString("0001" + "0000000000000010" + "0000" + "0000000000000020" + "0000000000000030"), v1);
    }

    [Fact]
    public void Records_parse_back_including_tombstones()
    {
        var tp = new TopicPartition("topic", 3);
        var offset = new CommittedOffset(99, 4, "meta", 1234);
        var parsed = Assert.IsType<OffsetRecord>(GroupRecords.Parse(GroupRecords.OffsetCommitKey("grp", tp), GroupRecords.OffsetCommitValue(offset)));
        Assert.Equal(new OffsetRecord("grp", tp, offset), parsed);
        var tombstone = Assert.IsType<OffsetRecord>(GroupRecords.Parse(GroupRecords.OffsetCommitKey("grp", tp), null));
        Assert.Null(tombstone.Offset);
        var group = Assert.IsType<GroupMetadataRecord>(GroupRecords.Parse(GroupRecords.GroupMetadataKey("grp"), null));
        Assert.Equal("grp", group.GroupId);
        Assert.Null(group.Value);
        Assert.Null(GroupRecords.Parse(new byte[] { 0, 9, 0, 0 }, null));
        Assert.Throws<InvalidDataException>(() => GroupRecords.Parse(new byte[] { 0, 1, 0, 5, 0x61 }, null));
    }

    [Theory]
    [InlineData("hello", 50, 22)]                    // "hello".hashCode() == 99162322
    [InlineData("polygenelubricants", 50, 0)]        // hashCode() == Integer.MIN_VALUE: Utils.abs gives 0
    [InlineData("", 50, 0)]
    [InlineData("Aa", 7, 2112 % 7)]                  // "Aa".hashCode() == 2112
    public void Group_partition_follows_javas_string_hash(string groupId, int partitions, int expected)
    {
        Assert.Equal(expected, OffsetsTopic.PartitionFor(groupId, partitions));
    }
}
