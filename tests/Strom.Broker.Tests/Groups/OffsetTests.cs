using Strom.Broker.Groups;
using Strom.Protocol;
using static Strom.Broker.Tests.Groups.CoordinatorHarness;

namespace Strom.Broker.Tests.Groups;

public sealed class OffsetTests : IDisposable
{
    private readonly CoordinatorHarness _h = new();

    public OffsetTests() => _h.CreateTopic("orders", 3);

    public void Dispose() => _h.Dispose();

    private static OffsetCommitEntry Entry(int partition, long offset, string? metadata = "", string topic = "orders") =>
        new(topic, partition, offset, -1, metadata, -1);

    [Fact]
    public void Simple_commits_create_the_group_and_round_trip_metadata()
    {
        var errors = _h.Groups.CommitOffsets("tool", -1, "", null, -1, [Entry(0, 42, "checkpoint-α"), Entry(2, 7, null)]);
        Assert.All(errors, e => Assert.Equal(ErrorCode.None, e));
        var (error, offsets) = _h.Groups.FetchOffsets("tool", [("orders", [0, 1, 2])]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(42, offsets[0].Offset!.Value.Offset);
        Assert.Equal("checkpoint-α", offsets[0].Offset!.Value.Metadata);
        Assert.Null(offsets[1].Offset);
        Assert.Equal("", offsets[2].Offset!.Value.Metadata);
        Assert.Equal(GroupState.Empty, _h.Groups.StateOf("tool"));
        var all = _h.Groups.FetchOffsets("tool", null).Offsets;
        Assert.Equal([0, 2], all.Select(o => o.Partition));
    }

    [Fact]
    public void Commits_for_unknown_topics_invalid_groups_and_oversized_metadata_get_kafka_errors()
    {
        var errors = _h.Groups.CommitOffsets("tool", -1, "", null, -1,
            [Entry(0, 1), Entry(0, 1, topic: "missing"), Entry(9, 1), Entry(1, 1, new string('x', 4097))]);
        Assert.Equal(new[] { ErrorCode.None, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition, ErrorCode.OffsetMetadataTooLarge }, errors);
        Assert.Equal(ErrorCode.InvalidGroupId, _h.Groups.CommitOffsets("", -1, "", null, -1, [Entry(0, 1)])[0]);
        Assert.Equal(ErrorCode.InvalidGroupId, _h.Groups.CommitOffsets(new string('g', 40_000), -1, "", null, -1, [Entry(0, 1)])[0]);
        Assert.Equal(ErrorCode.IllegalGeneration, _h.Groups.CommitOffsets("never-joined", 3, "m", null, -1, [Entry(0, 1)])[0]);
    }

    [Fact]
    public async Task Member_commits_are_fenced_by_generation_and_membership()
    {
        var (memberId, join) = await _h.JoinNew("g");
        _h.Time.AdvanceMs(3000);
        var generation = (await Done(join)).GenerationId;
        // The assignment is still pending: commits wait for it.
        Assert.Equal(ErrorCode.RebalanceInProgress, _h.Groups.CommitOffsets("g", generation, memberId, null, -1, [Entry(0, 5)])[0]);
        await Done(_h.Sync("g", memberId, generation, (memberId, [1])));
        Assert.Equal(ErrorCode.None, _h.Groups.CommitOffsets("g", generation, memberId, null, -1, [Entry(0, 5)])[0]);
        Assert.Equal(ErrorCode.IllegalGeneration, _h.Groups.CommitOffsets("g", generation - 1, memberId, null, -1, [Entry(0, 6)])[0]);
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.CommitOffsets("g", generation, "stranger", null, -1, [Entry(0, 6)])[0]);
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.CommitOffsets("g", -1, "", null, -1, [Entry(0, 6)])[0]);
        Assert.Equal(5, _h.Groups.FetchOffsets("g", [("orders", [0])]).Offsets[0].Offset!.Value.Offset);
    }

    [Fact]
    public void Offsets_of_an_empty_group_expire_after_the_retention_and_the_group_goes()
    {
        _h.Groups.CommitOffsets("tool", -1, "", null, -1, [Entry(0, 1)]);
        _h.Time.AdvanceMs(TimeSpan.FromDays(6).Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Equal(0, _h.Groups.ExpireOffsets());
        Assert.NotNull(_h.Groups.FetchOffsets("tool", [("orders", [0])]).Offsets[0].Offset);
        _h.Time.AdvanceMs(TimeSpan.FromDays(1).Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Null(_h.Groups.FetchOffsets("tool", [("orders", [0])]).Offsets[0].Offset);
        Assert.Null(_h.Groups.StateOf("tool"));
    }

    [Fact]
    public void An_explicit_retention_time_expires_the_offset_on_its_own()
    {
        _h.Groups.CommitOffsets("tool", -1, "", null, 60_000, [Entry(0, 1)]);
        _h.Groups.CommitOffsets("tool", -1, "", null, -1, [Entry(1, 1)]);
        _h.Time.AdvanceMs(60_000);
        Assert.Equal(1, _h.Groups.ExpireOffsets());
        Assert.Equal([1], _h.Groups.FetchOffsets("tool", null).Offsets.Select(o => o.Partition));
    }

    [Fact]
    public async Task Only_empty_groups_can_be_deleted_and_their_offsets_go_with_them()
    {
        var (memberId, join) = await _h.JoinNew("busy");
        _h.Time.AdvanceMs(3000);
        await Done(join);
        Assert.Equal(ErrorCode.NonEmptyGroup, _h.Groups.DeleteGroup("busy"));
        Assert.Equal(ErrorCode.GroupIdNotFound, _h.Groups.DeleteGroup("nobody"));
        _h.Groups.CommitOffsets("idle", -1, "", null, -1, [Entry(0, 1)]);
        Assert.Equal(ErrorCode.None, _h.Groups.DeleteGroup("idle"));
        Assert.Null(_h.Groups.FetchOffsets("idle", [("orders", [0])]).Offsets[0].Offset);
        Assert.DoesNotContain(_h.Groups.ListGroups(), g => g.GroupId == "idle");
        _h.Reopen();
        Assert.Null(_h.Groups.FetchOffsets("idle", [("orders", [0])]).Offsets[0].Offset);
        Assert.Null(_h.Groups.StateOf("idle"));
        Assert.NotNull(memberId);
    }

    [Fact]
    public void Offset_delete_removes_offsets_of_an_empty_group()
    {
        _h.Groups.CommitOffsets("tool", -1, "", null, -1, [Entry(0, 1), Entry(1, 2)]);
        var (error, results) = _h.Groups.DeleteOffsets("tool", [("orders", 0)]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(ErrorCode.None, Assert.Single(results));
        Assert.Equal([1], _h.Groups.FetchOffsets("tool", null).Offsets.Select(o => o.Partition));
        Assert.Equal(ErrorCode.GroupIdNotFound, _h.Groups.DeleteOffsets("nobody", [("orders", 0)]).Error);
    }

    [Fact]
    public void Commits_and_group_metadata_survive_a_restart()
    {
        _h.Groups.CommitOffsets("tool", -1, "", null, -1, [Entry(0, 42, "meta-0"), Entry(1, 43, "meta-1")]);
        _h.Groups.CommitOffsets("tool", -1, "", null, -1, [Entry(0, 44, "meta-0b")]);
        _h.Reopen();
        var offsets = _h.Groups.FetchOffsets("tool", null).Offsets;
        Assert.Equal([(0, 44L, "meta-0b"), (1, 43L, "meta-1")], offsets.Select(o => (o.Partition, o.Offset!.Value.Offset, o.Offset!.Value.Metadata)));
    }

    [Fact]
    public async Task A_stable_group_is_restored_with_its_members_and_assignment()
    {
        var (memberId, join) = await _h.JoinNew("g");
        _h.Time.AdvanceMs(3000);
        var generation = (await Done(join)).GenerationId;
        await Done(_h.Sync("g", memberId, generation, (memberId, [9, 9])));
        _h.Reopen();
        Assert.Equal(GroupState.Stable, _h.Groups.StateOf("g"));
        Assert.Equal(ErrorCode.None, _h.Groups.Heartbeat("g", memberId, null, generation));
        Assert.Equal(new byte[] { 9, 9 }, (await Done(_h.Sync("g", memberId, generation))).Assignment);
        var described = _h.Groups.DescribeGroup("g");
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal("range", described.ProtocolData);
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(described.Members).MemberMetadata);
    }
}
