using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Groups;

/// <summary>The group APIs over the wire, against a real in-process broker.</summary>
public sealed class GroupProtocolTests : IAsyncLifetime
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);
    private StromBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["group.initial.rebalance.delay.ms"] = "0",
            ["offsets.topic.num.partitions"] = "5",
            ["num.partitions"] = "2",
        });
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private Task<KafkaTestConnection> Connect() => KafkaTestConnection.ConnectAsync(_broker.Port);

    private static JoinGroupRequest Join(string group, string memberId = "", byte[]? subscription = null) => new()
    {
        GroupId = group,
        MemberId = memberId,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 20_000,
        ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = subscription ?? [0, 1] }],
    };

    private async Task CreateTopic(string name) =>
        Assert.Equal(ErrorCode.None, _broker.Server!.Broker.Topics.Create(name, 2, 1, new Dictionary<string, string?>(), false).Error);

    [Fact]
    public async Task ApiVersions_advertises_every_group_api_from_version_0()
    {
        await using var c = await Connect();
        var response = await c.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        foreach (var key in new[] { 8, 9, 10, 11, 12, 13, 14, 15, 16, 22, 42, 47 })
        {
            var api = Assert.Single(response.ApiKeys, k => k.ApiKey == key);
            Assert.Equal(0, api.MinVersion);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public async Task FindCoordinator_answers_with_this_node_and_creates_the_offsets_topic(short version)
    {
        await using var c = await Connect();
        var request = new FindCoordinatorRequest { Key = "group-a", KeyType = 0, CoordinatorKeys = ["group-a", "group-b"] };
        var response = await c.SendAsync<FindCoordinatorResponse>(request, version);
        if (version >= 4)
        {
            Assert.Equal(2, response.Coordinators.Count);
            Assert.All(response.Coordinators, co => Assert.Equal((_broker.Port, (short)0), (co.Port, co.ErrorCode)));
        }
        else
        {
            Assert.Equal((short)ErrorCode.None, response.ErrorCode);
            Assert.Equal(_broker.Port, response.Port);
            Assert.Equal("127.0.0.1", response.Host);
        }
        var metadata = await c.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "__consumer_offsets" }] }, 1);
        var topic = Assert.Single(metadata.Topics);
        Assert.True(topic.IsInternal);
        Assert.Equal(5, topic.Partitions.Count);
    }

    [Fact]
    public async Task FindCoordinator_refuses_unknown_key_types()
    {
        await using var c = await Connect();
        var response = await c.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "x", KeyType = 7 }, 3);
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
    }

    [Fact]
    public async Task Two_consumers_rebalance_commit_describe_leave_and_delete_over_the_wire()
    {
        await CreateTopic("events");
        await using var a = await Connect();
        await using var b = await Connect();

        var first = await a.SendAsync<JoinGroupResponse>(Join("g"), 5);
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        var memberA = first.MemberId;
        var joinedA = await a.SendAsync<JoinGroupResponse>(Join("g", memberA), 5);
        Assert.Equal((1, memberA), (joinedA.GenerationId, joinedA.Leader));
        var syncA = await a.SendAsync<SyncGroupResponse>(Sync("g", memberA, 1, (memberA, [1])), 3);
        Assert.Equal(new byte[] { 1 }, syncA.Assignment);

        var firstB = await b.SendAsync<JoinGroupResponse>(Join("g"), 7);
        var memberB = firstB.MemberId;
        var pendingJoinB = b.SendAsync<JoinGroupResponse>(Join("g", memberB), 7);
        short heartbeat;
        var polls = 0;
        do
        {
            heartbeat = (await a.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "g", GenerationId = 1, MemberId = memberA }, 3)).ErrorCode;
            await Task.Delay(heartbeat == 0 ? 20 : 0);
        }
        while (heartbeat == 0 && ++polls < 500);
        Assert.Equal((short)ErrorCode.RebalanceInProgress, heartbeat);

        var rejoinA = await a.SendAsync<JoinGroupResponse>(Join("g", memberA), 5);
        var joinedB = await pendingJoinB.WaitAsync(Safety);
        Assert.Equal(2, rejoinA.GenerationId);
        Assert.Equal(2, rejoinA.Members.Count);
        Assert.Equal("consumer", joinedB.ProtocolType);
        Assert.Equal("range", joinedB.ProtocolName);
        var pendingSyncB = b.SendAsync<SyncGroupResponse>(Sync("g", memberB, 2), 5);
        await a.SendAsync<SyncGroupResponse>(Sync("g", memberA, 2, (memberA, [0xA]), (memberB, [0xB, 0xB])), 5);
        Assert.Equal(new byte[] { 0xB, 0xB }, (await pendingSyncB.WaitAsync(Safety)).Assignment);

        var commit = await a.SendAsync<OffsetCommitResponse>(Commit("g", 2, memberA, "events", 0, 17, "from-a"), 8);
        Assert.Equal((short)ErrorCode.None, commit.Topics[0].Partitions[0].ErrorCode);
        var fetch = await b.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            Groups =
            [
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "g", Topics = [new() { Name = "events", PartitionIndexes = [0, 1] }] },
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "other", Topics = [new() { Name = "events", PartitionIndexes = [0] }] },
            ],
        }, 8);
        var partitions = fetch.Groups[0].Topics[0].Partitions;
        Assert.Equal((17L, "from-a"), (partitions[0].CommittedOffset, partitions[0].Metadata));
        Assert.Equal(-1L, partitions[1].CommittedOffset);
        Assert.Equal(-1L, fetch.Groups[1].Topics[0].Partitions[0].CommittedOffset);

        var described = Assert.Single((await a.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["g"] }, 5)).Groups);
        Assert.Equal(("Stable", "consumer", "range", 2), (described.GroupState, described.ProtocolType, described.ProtocolData, described.Members.Count));
        Assert.Contains(described.Members, m => m.MemberId == memberB && m.MemberAssignment.SequenceEqual(new byte[] { 0xB, 0xB }));

        var stable = await a.SendAsync<ListGroupsResponse>(new ListGroupsRequest { StatesFilter = ["stable"] }, 4);
        Assert.Contains(stable.Groups, g => g.GroupId == "g" && g.GroupState == "Stable" && g.ProtocolType == "consumer");
        var empty = await a.SendAsync<ListGroupsResponse>(new ListGroupsRequest { StatesFilter = ["Empty"] }, 4);
        Assert.DoesNotContain(empty.Groups, g => g.GroupId == "g");

        var notEmpty = await a.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["g"] }, 2);
        Assert.Equal((short)ErrorCode.NonEmptyGroup, notEmpty.Results[0].ErrorCode);

        var leave = await a.SendAsync<LeaveGroupResponse>(new LeaveGroupRequest
        {
            GroupId = "g",
            Members = [new() { MemberId = memberA }, new() { MemberId = memberB }, new() { MemberId = "ghost" }],
        }, 3);
        Assert.Equal(new short[] { 0, 0, (short)ErrorCode.UnknownMemberId }, leave.Members.Select(m => m.ErrorCode));

        var deleted = await a.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["g", "never"] }, 2);
        Assert.Equal(new short[] { 0, (short)ErrorCode.GroupIdNotFound }, deleted.Results.Select(r => r.ErrorCode));
        var gone = Assert.Single((await a.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["g"] }, 0)).Groups);
        Assert.Equal("Dead", gone.GroupState);
    }

    [Fact]
    public async Task Bad_commits_get_kafkas_error_codes()
    {
        await CreateTopic("events");
        await using var c = await Connect();
        var first = await c.SendAsync<JoinGroupResponse>(Join("bad"), 5);
        var joined = await c.SendAsync<JoinGroupResponse>(Join("bad", first.MemberId), 5);
        await c.SendAsync<SyncGroupResponse>(Sync("bad", first.MemberId, joined.GenerationId, (first.MemberId, [])), 3);

        async Task<short> CommitError(OffsetCommitRequest request, short version = 8) =>
            (await c.SendAsync<OffsetCommitResponse>(request, version)).Topics[0].Partitions[0].ErrorCode;

        Assert.Equal((short)ErrorCode.IllegalGeneration, await CommitError(Commit("bad", joined.GenerationId + 5, first.MemberId, "events", 0, 1)));
        Assert.Equal((short)ErrorCode.UnknownMemberId, await CommitError(Commit("bad", joined.GenerationId, "intruder", "events", 0, 1)));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, await CommitError(Commit("bad", joined.GenerationId, first.MemberId, "no-such-topic", 0, 1)));
        Assert.Equal((short)ErrorCode.InvalidGroupId, await CommitError(Commit(new string('x', 40_000), -1, "", "events", 0, 1)));
        Assert.Equal((short)ErrorCode.InvalidGroupId, await CommitError(Commit("", -1, "", "events", 0, 1), 2));
        var emptyJoin = await c.SendAsync<JoinGroupResponse>(Join(""), 5);
        Assert.Equal((short)ErrorCode.InvalidGroupId, emptyJoin.ErrorCode);
        var heartbeat = await c.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "bad", GenerationId = joined.GenerationId - 1, MemberId = first.MemberId }, 1);
        Assert.Equal((short)ErrorCode.IllegalGeneration, heartbeat.ErrorCode);
    }

    [Fact]
    public async Task Bad_member_requests_get_kafkas_error_codes()
    {
        await CreateTopic("events");
        await using var c = await Connect();
        var first = await c.SendAsync<JoinGroupResponse>(Join("members"), 5);
        var joined = await c.SendAsync<JoinGroupResponse>(Join("members", first.MemberId), 5);
        var member = first.MemberId;
        await c.SendAsync<SyncGroupResponse>(Sync("members", member, joined.GenerationId, (member, [])), 3);

        // Stale generation and unknown member on every member API.
        Assert.Equal((short)ErrorCode.IllegalGeneration,
            (await c.SendAsync<SyncGroupResponse>(Sync("members", member, joined.GenerationId - 1), 3)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId,
            (await c.SendAsync<SyncGroupResponse>(Sync("members", "intruder", joined.GenerationId), 3)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId,
            (await c.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "members", GenerationId = joined.GenerationId, MemberId = "intruder" }, 3)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId,
            (await c.SendAsync<LeaveGroupResponse>(new LeaveGroupRequest { GroupId = "members", MemberId = "intruder" }, 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.None,
            (await c.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "members", GenerationId = joined.GenerationId, MemberId = member }, 3)).ErrorCode);

        // A group id longer than the int16 string of __consumer_offsets' keys, in flexible versions that could carry it.
        var huge = new string('g', short.MaxValue + 1);
        Assert.Equal((short)ErrorCode.InvalidGroupId, (await c.SendAsync<JoinGroupResponse>(Join(huge), 6)).ErrorCode);
        var fetch = await c.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = huge,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "events", PartitionIndexes = [0] }],
        }, 6);
        Assert.Equal((short)ErrorCode.InvalidGroupId, fetch.ErrorCode);

        // An offset for a partition the topic does not have; the good partition in the same request is committed.
        var commit = Commit("members", joined.GenerationId, member, "events", 0, 7);
        commit.Topics[0].Partitions.Add(new() { PartitionIndex = 99, CommittedOffset = 7, CommittedMetadata = "", CommittedLeaderEpoch = -1 });
        var committed = await c.SendAsync<OffsetCommitResponse>(commit, 8);
        Assert.Equal(new short[] { 0, (short)ErrorCode.UnknownTopicOrPartition }, committed.Topics[0].Partitions.Select(p => p.ErrorCode));
    }

    [Fact]
    public async Task Committed_offsets_and_metadata_survive_a_broker_restart()
    {
        await CreateTopic("events");
        await using (var c = await Connect())
        {
            // kafka-python style (v2, no group management) and a group member (v8).
            await c.SendAsync<OffsetCommitResponse>(Commit("simple", -1, "", "events", 1, 1234, "{\"k\":\"v\"}"), 2);
            var first = await c.SendAsync<JoinGroupResponse>(Join("managed"), 5);
            var joined = await c.SendAsync<JoinGroupResponse>(Join("managed", first.MemberId), 5);
            await c.SendAsync<SyncGroupResponse>(Sync("managed", first.MemberId, joined.GenerationId, (first.MemberId, [5])), 3);
            var commit = await c.SendAsync<OffsetCommitResponse>(Commit("managed", joined.GenerationId, first.MemberId, "events", 0, 99, "m"), 8);
            Assert.Equal(0, commit.Topics[0].Partitions[0].ErrorCode);
        }
        await _broker.RestartAsync();
        await using var after = await Connect();
        var v1 = await after.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = "simple",
            Topics = [new() { Name = "events", PartitionIndexes = [0, 1] }],
        }, 1);
        Assert.Equal(new[] { (-1L, ""), (1234L, "{\"k\":\"v\"}") }, v1.Topics[0].Partitions.Select(p => (p.CommittedOffset, p.Metadata ?? "")));
        var all = await after.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "managed", Topics = null }, 7);
        var p0 = Assert.Single(Assert.Single(all.Topics).Partitions);
        Assert.Equal((0, 99L, "m"), (p0.PartitionIndex, p0.CommittedOffset, p0.Metadata));
        var described = Assert.Single((await after.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["managed"] }, 4)).Groups);
        Assert.Equal("Stable", described.GroupState);
    }

    [Fact]
    public async Task InitProducerId_hands_out_fresh_ids_at_epoch_0_across_restarts()
    {
        long before;
        await using (var c = await Connect())
        {
            var one = await c.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 }, 0);
            var two = await c.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, ProducerId = one.ProducerId, ProducerEpoch = 0 }, 4);
            Assert.Equal((0, (short)0, (short)0), (one.ErrorCode, one.ProducerEpoch, two.ProducerEpoch));
            Assert.NotEqual(one.ProducerId, two.ProducerId);
            before = Math.Max(one.ProducerId, two.ProducerId);
        }
        await _broker.RestartAsync();
        await using var after = await Connect();
        var three = await after.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null }, 2);
        Assert.True(three.ProducerId > before, $"{three.ProducerId} was handed out again");
    }

    private static SyncGroupRequest Sync(string group, string memberId, int generation, params (string MemberId, byte[] Assignment)[] assignments) => new()
    {
        GroupId = group,
        MemberId = memberId,
        GenerationId = generation,
        ProtocolType = "consumer",
        ProtocolName = "range",
        Assignments = assignments.Select(a => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = a.MemberId, Assignment = a.Assignment }).ToList(),
    };

    private static OffsetCommitRequest Commit(string group, int generation, string memberId, string topic, int partition, long offset, string? metadata = "") => new()
    {
        GroupId = group,
        GenerationIdOrMemberEpoch = generation,
        MemberId = memberId,
        RetentionTimeMs = -1,
        Topics =
        [
            new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = topic,
                Partitions = [new() { PartitionIndex = partition, CommittedOffset = offset, CommittedMetadata = metadata, CommittedLeaderEpoch = -1 }],
            },
        ],
    };
}
