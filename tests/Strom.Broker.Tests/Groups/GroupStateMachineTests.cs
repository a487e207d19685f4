using Strom.Broker.Groups;
using Strom.Protocol;
using static Strom.Broker.Tests.Groups.CoordinatorHarness;

namespace Strom.Broker.Tests.Groups;

public sealed class GroupStateMachineTests : IDisposable
{
    private readonly CoordinatorHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task First_join_waits_for_the_initial_rebalance_delay()
    {
        var (memberId, join) = await _h.JoinNew("g");
        _h.Time.AdvanceMs(2999);
        Assert.False(join.IsCompleted);
        Assert.Equal(GroupState.PreparingRebalance, _h.Groups.StateOf("g"));
        _h.Time.AdvanceMs(1);
        var response = await Done(join);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(1, response.GenerationId);
        Assert.Equal(memberId, response.Leader);
        Assert.Equal("range", response.ProtocolName);
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(response.Members).Metadata);
        Assert.Equal(GroupState.CompletingRebalance, _h.Groups.StateOf("g"));
    }

    [Fact]
    public async Task Initial_delay_is_extended_while_members_keep_arriving()
    {
        var (a, joinA) = await _h.JoinNew("g");
        _h.Time.AdvanceMs(2000);
        var (b, joinB) = await _h.JoinNew("g");
        _h.Time.AdvanceMs(1000);
        Assert.False(joinA.IsCompleted);
        _h.Time.AdvanceMs(3000);
        var responseA = await Done(joinA);
        var responseB = await Done(joinB);
        Assert.Equal(responseA.GenerationId, responseB.GenerationId);
        Assert.Equal(a, responseA.Leader);
        Assert.Equal(2, responseA.Members.Count);
        Assert.Empty(responseB.Members);
        Assert.Equal(a, responseB.Leader);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Followers_wait_for_the_leader_and_receive_its_bytes_unchanged()
    {
        var (a, b, generation) = await StableCandidates();
        var followerSync = _h.Sync("g", b, generation);
        Assert.False(followerSync.IsCompleted);
        var leaderSync = await Done(_h.Sync("g", a, generation, (a, [0xAA]), (b, [0xBB, 0x00, 0xFF])));
        Assert.Equal(new byte[] { 0xAA }, leaderSync.Assignment);
        Assert.Equal(new byte[] { 0xBB, 0x00, 0xFF }, (await Done(followerSync)).Assignment);
        Assert.Equal(GroupState.Stable, _h.Groups.StateOf("g"));
        // Once stable, a late SyncGroup gets the stored assignment at once.
        Assert.Equal(new byte[] { 0xBB, 0x00, 0xFF }, (await Done(_h.Sync("g", b, generation))).Assignment);
    }

    [Fact]
    public async Task Protocol_is_chosen_by_vote_among_the_ones_every_member_supports()
    {
        var (_, joinA) = await _h.JoinNew("g", ("sticky", [1]), ("range", [2]), ("roundrobin", [9]));
        var (_, joinB) = await _h.JoinNew("g", ("range", [3]), ("sticky", [4]));
        var (_, joinC) = await _h.JoinNew("g", ("range", [5]), ("sticky", [6]));
        _h.Time.AdvanceMs(10_000);
        var leader = await Done(joinA);
        Assert.Equal("range", leader.ProtocolName);
        Assert.Equal(new byte[][] { [2], [3], [5] }, leader.Members.Select(m => m.Metadata).ToArray());
        Assert.Equal("range", (await Done(joinB)).ProtocolName);
        Assert.Equal("range", (await Done(joinC)).ProtocolName);
    }

    [Fact]
    public async Task A_member_without_a_common_protocol_or_type_is_refused()
    {
        await StableCandidates();
        var noCommon = await Done(_h.Join(JoinRequest("g", protocols: ("roundrobin", [1]))));
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, noCommon.ErrorCode);
        var otherType = await Done(_h.Join(JoinRequest("g", protocolType: "connect")));
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, otherType.ErrorCode);
        var none = await Done(_h.Join(JoinRequest("fresh", protocolType: "")));
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, none.ErrorCode);
    }

    [Fact]
    public async Task Heartbeat_reports_rebalance_generation_and_membership_errors()
    {
        var (a, b, generation) = await StableGroup();
        Assert.Equal(ErrorCode.None, _h.Groups.Heartbeat("g", a, null, generation));
        Assert.Equal(ErrorCode.IllegalGeneration, _h.Groups.Heartbeat("g", a, null, generation - 1));
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.Heartbeat("g", "nobody", null, generation));
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.Heartbeat("no-such-group", a, null, generation));
        Assert.Equal(ErrorCode.InvalidGroupId, _h.Groups.Heartbeat("", a, null, generation));

        var (_, joinC) = await _h.JoinNew("g");
        Assert.Equal(GroupState.PreparingRebalance, _h.Groups.StateOf("g"));
        Assert.Equal(ErrorCode.RebalanceInProgress, _h.Groups.Heartbeat("g", b, null, generation));
        Assert.False(joinC.IsCompleted);
        // The others rejoin: the join phase completes without waiting for a timeout.
        var rejoinA = _h.Join(JoinRequest("g", a));
        var rejoinB = _h.Join(JoinRequest("g", b));
        var next = await Done(rejoinA);
        Assert.Equal(generation + 1, next.GenerationId);
        Assert.Equal(3, next.Members.Count);
        Assert.Equal(generation + 1, (await Done(rejoinB)).GenerationId);
        Assert.Equal(generation + 1, (await Done(joinC)).GenerationId);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_after_its_session_timeout()
    {
        var (a, b, generation) = await StableGroup();
        for (var i = 0; i < 2; i++)
        {
            _h.Time.AdvanceMs(4000);
            Assert.Equal(ErrorCode.None, _h.Groups.Heartbeat("g", a, null, generation));
        }
        _h.Time.AdvanceMs(3000);
        // b never heartbeated: its 10 s session ran out, so the group rebalances without it.
        Assert.Equal(GroupState.PreparingRebalance, _h.Groups.StateOf("g"));
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.Heartbeat("g", b, null, generation));
        var rejoin = await Done(_h.Join(JoinRequest("g", a)));
        Assert.Equal(generation + 1, rejoin.GenerationId);
        Assert.Equal(a, Assert.Single(rejoin.Members).MemberId);
    }

    [Fact]
    public async Task A_member_that_does_not_rejoin_is_removed_at_the_rebalance_timeout()
    {
        var (a, b, generation) = await StableGroup();
        var rejoinA = _h.Join(JoinRequest("g", a, rebalanceTimeoutMs: 20_000));
        for (var elapsed = 0; elapsed < 18_000; elapsed += 3000)
        {
            _h.Time.AdvanceMs(3000);
            _h.Groups.Heartbeat("g", b, null, generation);
        }
        Assert.False(rejoinA.IsCompleted);
        _h.Time.AdvanceMs(12_000);
        var response = await Done(rejoinA);
        Assert.Equal(generation + 1, response.GenerationId);
        Assert.Equal(a, Assert.Single(response.Members).MemberId);
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.Heartbeat("g", b, null, generation + 1));
    }

    [Fact]
    public async Task Joining_with_an_unknown_member_id_is_refused()
    {
        await StableGroup();
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await Done(_h.Join(JoinRequest("g", "made-up")))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await Done(_h.Join(JoinRequest("unknown-group", "made-up")))).ErrorCode);
    }

    [Fact]
    public async Task Session_timeout_outside_the_broker_bounds_is_refused()
    {
        var tooShort = await Done(_h.Join(JoinRequest("g", sessionTimeoutMs: 1000)));
        Assert.Equal((short)ErrorCode.InvalidSessionTimeout, tooShort.ErrorCode);
        var tooLong = await Done(_h.Join(JoinRequest("g", sessionTimeoutMs: 2_000_000)));
        Assert.Equal((short)ErrorCode.InvalidSessionTimeout, tooLong.ErrorCode);
    }

    [Fact]
    public async Task Old_versions_join_without_a_member_id_round_trip()
    {
        var join = _h.Join(JoinRequest("g"), version: 2);
        _h.Time.AdvanceMs(3000);
        var response = await Done(join);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(response.MemberId, response.Leader);
        Assert.StartsWith("client-", response.MemberId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Static_member_rejoining_takes_over_its_assignment_and_fences_the_old_id()
    {
        var joinA = _h.Join(JoinRequest("g", instanceId: "instance-a"));
        var joinB = _h.Join(JoinRequest("g", instanceId: "instance-b"));
        _h.Time.AdvanceMs(6000);
        var a = await Done(joinA);
        var b = await Done(joinB);
        Assert.Equal((short)ErrorCode.None, a.ErrorCode);
        Assert.StartsWith("instance-a-", a.MemberId, StringComparison.Ordinal);
        var followerSync = _h.Sync("g", b.MemberId, b.GenerationId);
        await Done(_h.Sync("g", a.MemberId, a.GenerationId, (a.MemberId, [1]), (b.MemberId, [2])));
        await Done(followerSync);

        // instance-b restarts: same instance id, no member id. No rebalance; the new id syncs its old assignment.
        var restarted = await Done(_h.Join(JoinRequest("g", instanceId: "instance-b")));
        Assert.Equal((short)ErrorCode.None, restarted.ErrorCode);
        Assert.NotEqual(b.MemberId, restarted.MemberId);
        Assert.Equal(b.GenerationId, restarted.GenerationId);
        Assert.Equal(GroupState.Stable, _h.Groups.StateOf("g"));
        Assert.Equal(new byte[] { 2 }, (await Done(_h.Sync("g", restarted.MemberId, restarted.GenerationId))).Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, _h.Groups.Heartbeat("g", b.MemberId, "instance-b", b.GenerationId));
        Assert.Equal(ErrorCode.None, _h.Groups.Heartbeat("g", restarted.MemberId, "instance-b", b.GenerationId));
    }

    [Fact]
    public async Task Static_leader_rejoining_at_v9_learns_the_members_but_skips_the_assignment()
    {
        var joinA = _h.Join(JoinRequest("g", instanceId: "a"), version: 9);
        _h.Time.AdvanceMs(3000);
        var a = await Done(joinA);
        await Done(_h.Sync("g", a.MemberId, a.GenerationId, (a.MemberId, [7])));
        var again = await Done(_h.Join(JoinRequest("g", instanceId: "a"), version: 9));
        Assert.True(again.SkipAssignment);
        Assert.Equal(again.MemberId, again.Leader);
        Assert.Equal(again.MemberId, Assert.Single(again.Members).MemberId);
    }

    [Fact]
    public async Task Leaving_rebalances_and_the_last_member_leaving_empties_the_group()
    {
        var (a, b, generation) = await StableGroup();
        var (error, members) = _h.Groups.LeaveGroup("g", [(b, null), ("ghost", null)]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(new[] { ErrorCode.None, ErrorCode.UnknownMemberId }, members);
        Assert.Equal(GroupState.PreparingRebalance, _h.Groups.StateOf("g"));
        var rejoin = await Done(_h.Join(JoinRequest("g", a)));
        Assert.Equal(generation + 1, rejoin.GenerationId);
        await Done(_h.Sync("g", a, rejoin.GenerationId, (a, [1])));
        _h.Groups.LeaveGroup("g", [(a, null)]);
        Assert.Equal(GroupState.Empty, _h.Groups.StateOf("g"));
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.LeaveGroup("nope", [(a, null)]).Error);
    }

    [Fact]
    public async Task A_pending_sync_is_answered_with_rebalance_in_progress_when_a_member_joins()
    {
        var (a, b, generation) = await StableCandidates();
        var followerSync = _h.Sync("g", b, generation);
        var (_, joinC) = await _h.JoinNew("g");
        Assert.Equal((short)ErrorCode.RebalanceInProgress, (await Done(followerSync)).ErrorCode);
        Assert.Equal((short)ErrorCode.RebalanceInProgress, (await Done(_h.Sync("g", a, generation, (a, [1])))).ErrorCode);
        Assert.False(joinC.IsCompleted);
    }

    [Fact]
    public async Task A_leader_that_never_sends_the_assignment_is_removed()
    {
        var (a, b, generation) = await StableCandidates();
        var followerSync = _h.Sync("g", b, generation);
        _h.Time.AdvanceMs(30_000);
        // The leader never sent its assignment: it is removed, and b is asked to rejoin.
        Assert.Equal((short)ErrorCode.RebalanceInProgress, (await Done(followerSync)).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, _h.Groups.Heartbeat("g", a, null, generation));
    }

    /// <summary>Two members through the join phase (a leads), not yet synced.</summary>
    private async Task<(string A, string B, int Generation)> StableCandidates()
    {
        var (a, joinA) = await _h.JoinNew("g");
        var (b, joinB) = await _h.JoinNew("g");
        // b arrived during the initial delay, which therefore runs once more.
        _h.Time.AdvanceMs(3000);
        Assert.False(joinA.IsCompleted);
        _h.Time.AdvanceMs(3000);
        var responseA = await Done(joinA);
        await Done(joinB);
        Assert.Equal(a, responseA.Leader);
        return (a, b, responseA.GenerationId);
    }

    private async Task<(string A, string B, int Generation)> StableGroup()
    {
        var (a, b, generation) = await StableCandidates();
        var followerSync = _h.Sync("g", b, generation);
        await Done(_h.Sync("g", a, generation, (a, [1]), (b, [2])));
        await Done(followerSync);
        Assert.Equal(GroupState.Stable, _h.Groups.StateOf("g"));
        return (a, b, generation);
    }
}
