using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Groups;

/// <summary>SyncGroup, Heartbeat, LeaveGroup and the timeouts that remove members.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// SyncGroup. The leader's request carries every member's assignment as opaque bytes (the
    /// broker never interprets them, so any assignor works); followers wait for it. In a stable
    /// group the member's current assignment is returned at once.
    /// </summary>
    public Task<SyncGroupResponse> SyncGroupAsync(SyncGroupRequest request)
    {
        if (ValidateGroupId(request.GroupId) is var invalid and not ErrorCode.None)
        {
            return Task.FromResult(SyncError(invalid));
        }
        if (Find(request.GroupId) is not { } group)
        {
            return Task.FromResult(SyncError(ErrorCode.UnknownMemberId));
        }
        lock (group.Sync)
        {
            if (group.IsIn(GroupState.Dead))
            {
                return Task.FromResult(SyncError(ErrorCode.CoordinatorNotAvailable));
            }
            if (group.ValidateMember(request.MemberId, request.GroupInstanceId) is var error and not ErrorCode.None)
            {
                return Task.FromResult(SyncError(error));
            }
            if (request.GenerationId != group.GenerationId)
            {
                return Task.FromResult(SyncError(ErrorCode.IllegalGeneration));
            }
            if ((request.ProtocolType is { } type && type != group.ProtocolType) || (request.ProtocolName is { } name && name != group.ProtocolName))
            {
                return Task.FromResult(SyncError(ErrorCode.InconsistentGroupProtocol));
            }
            var member = group.Get(request.MemberId)!;
            switch (group.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(SyncError(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    ArmSession(group, member, member.SessionTimeoutMs);
                    return Task.FromResult(SyncResult(group, member.Assignment));
                case GroupState.CompletingRebalance:
                {
                    var response = new TaskCompletionSource<SyncGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
                    member.AwaitingSync?.TrySetResult(SyncError(ErrorCode.RebalanceInProgress));
                    member.AwaitingSync = response;
                    member.HasSynced = true;
                    ArmSession(group, member, member.SessionTimeoutMs);
                    if (group.IsLeader(member.MemberId))
                    {
                        CompleteSync(group, request.Assignments);
                    }
                    return response.Task;
                }
                default:
                    return Task.FromResult(SyncError(ErrorCode.UnknownMemberId));
            }
        }
    }

    /// <summary>The leader's assignment arrived: persist it with the group, hand it out, become Stable.</summary>
    private void CompleteSync(ClassicGroup group, List<SyncGroupRequest.SyncGroupRequestAssignment> assignments)
    {
        var byMember = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in assignments)
        {
            byMember[a.MemberId] = a.Assignment ?? [];
        }
        foreach (var m in group.Members)
        {
            m.Assignment = byMember.GetValueOrDefault(m.MemberId) ?? [];
        }
        if (PersistGroup(group) is var error and not ErrorCode.None)
        {
            foreach (var m in group.Members)
            {
                m.Assignment = [];
                m.AwaitingSync?.TrySetResult(SyncError(error));
                m.AwaitingSync = null;
            }
            PrepareRebalance(group, "the group metadata could not be written");
            return;
        }
        group.SyncTimer?.Dispose();
        group.SyncTimer = null;
        group.TransitionTo(GroupState.Stable, NowMs);
        foreach (var m in group.Members)
        {
            m.AwaitingSync?.TrySetResult(SyncResult(group, m.Assignment));
            m.AwaitingSync = null;
        }
    }

    /// <summary>
    /// Heartbeat: keeps the session alive. REBALANCE_IN_PROGRESS tells the member to rejoin;
    /// a stale generation gets ILLEGAL_GENERATION, an unknown member UNKNOWN_MEMBER_ID.
    /// </summary>
    public ErrorCode Heartbeat(string groupId, string memberId, string? groupInstanceId, int generationId)
    {
        if (ValidateGroupId(groupId) is var invalid and not ErrorCode.None)
        {
            return invalid;
        }
        if (Find(groupId) is not { } group)
        {
            return ErrorCode.UnknownMemberId;
        }
        lock (group.Sync)
        {
            if (group.IsIn(GroupState.Dead))
            {
                return ErrorCode.CoordinatorNotAvailable;
            }
            if (group.ValidateMember(memberId, groupInstanceId) is var error and not ErrorCode.None)
            {
                return error;
            }
            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
            var member = group.Get(memberId)!;
            switch (group.State)
            {
                case GroupState.Stable:
                case GroupState.CompletingRebalance:
                    ArmSession(group, member, member.SessionTimeoutMs);
                    return ErrorCode.None;
                case GroupState.PreparingRebalance:
                    ArmSession(group, member, member.SessionTimeoutMs);
                    return ErrorCode.RebalanceInProgress;
                default:
                    return ErrorCode.UnknownMemberId;
            }
        }
    }

    /// <summary>
    /// LeaveGroup for one or more members (batch leave, v3+). A static member is named by its
    /// instance id; a member id that does not match it is fenced. Returns the group-level error
    /// and one error per member.
    /// </summary>
    public (ErrorCode Error, List<ErrorCode> Members) LeaveGroup(string groupId, IReadOnlyList<(string MemberId, string? GroupInstanceId)> members)
    {
        if (ValidateGroupId(groupId) is var invalid and not ErrorCode.None)
        {
            return (invalid, []);
        }
        if (Find(groupId) is not { } group)
        {
            return (ErrorCode.UnknownMemberId, []);
        }
        var results = new List<ErrorCode>(members.Count);
        lock (group.Sync)
        {
            if (group.IsIn(GroupState.Dead))
            {
                return (ErrorCode.CoordinatorNotAvailable, []);
            }
            foreach (var (memberId, instanceId) in members)
            {
                if (instanceId is not null)
                {
                    var current = group.StaticMemberId(instanceId);
                    if (current is null)
                    {
                        results.Add(ErrorCode.UnknownMemberId);
                    }
                    else if (memberId.Length > 0 && memberId != current)
                    {
                        results.Add(ErrorCode.FencedInstanceId);
                    }
                    else
                    {
                        RemoveMemberAndRebalance(group, group.Get(current)!, "left the group");
                        results.Add(ErrorCode.None);
                    }
                }
                else if (group.PendingMembers.Remove(memberId, out var timer))
                {
                    timer.Dispose();
                    MaybeCompleteJoin(group);
                    results.Add(ErrorCode.None);
                }
                else if (group.Get(memberId) is { } member)
                {
                    RemoveMemberAndRebalance(group, member, "left the group");
                    results.Add(ErrorCode.None);
                }
                else
                {
                    results.Add(ErrorCode.UnknownMemberId);
                }
            }
        }
        return (ErrorCode.None, results);
    }

    private void OnSessionExpired(ClassicGroup group, GroupMember member)
    {
        lock (group.Sync)
        {
            if (group.Get(member.MemberId) != member || _disposed)
            {
                return;
            }
            if (!member.IsNew && (member.AwaitingJoin is not null || member.AwaitingSync is not null))
            {
                // Waiting for a rebalance counts as alive; the rebalance has its own timeout.
                ArmSession(group, member, member.SessionTimeoutMs);
                return;
            }
            RemoveMemberAndRebalance(group, member, member.IsNew ? "did not complete its first join in time" : "session timed out");
        }
    }

    private void OnPendingMemberExpired(ClassicGroup group, string memberId)
    {
        lock (group.Sync)
        {
            if (group.PendingMembers.Remove(memberId, out var timer))
            {
                timer.Dispose();
                MaybeCompleteJoin(group);
            }
        }
    }

    /// <summary>Members that did not send SyncGroup within the rebalance timeout are removed (and the group rebalances).</summary>
    private void OnSyncTimeout(ClassicGroup group, int generation)
    {
        lock (group.Sync)
        {
            if (!group.IsIn(GroupState.CompletingRebalance) || group.GenerationId != generation)
            {
                return;
            }
            foreach (var m in group.Members.Where(m => !m.HasSynced).ToList())
            {
                RemoveMemberAndRebalance(group, m, "did not sync within the rebalance timeout");
            }
        }
    }

    private void RemoveMemberAndRebalance(ClassicGroup group, GroupMember member, string reason)
    {
        RemoveMember(group, member, reason);
        switch (group.State)
        {
            case GroupState.Stable:
            case GroupState.CompletingRebalance:
                PrepareRebalance(group, $"member {member.MemberId} {reason}");
                break;
            case GroupState.PreparingRebalance:
                MaybeCompleteJoin(group);
                break;
        }
    }

    private void RemoveMember(ClassicGroup group, GroupMember member, string reason)
    {
        member.AwaitingJoin?.TrySetResult(JoinError(member.MemberId, ErrorCode.UnknownMemberId));
        member.AwaitingJoin = null;
        member.AwaitingSync?.TrySetResult(SyncError(ErrorCode.UnknownMemberId));
        member.AwaitingSync = null;
        member.SessionTimer?.Dispose();
        member.SessionTimer = null;
        group.Remove(member.MemberId);
        LogMemberRemoved(_logger, group.GroupId, member.MemberId, reason);
    }

    private static SyncGroupResponse SyncResult(ClassicGroup group, byte[] assignment) => new()
    {
        ProtocolType = group.ProtocolType,
        ProtocolName = group.ProtocolName,
        Assignment = assignment,
    };

    private static SyncGroupResponse SyncError(ErrorCode error) => new()
    {
        ErrorCode = (short)error,
        ProtocolType = null,
        ProtocolName = null,
        Assignment = [],
    };
}
