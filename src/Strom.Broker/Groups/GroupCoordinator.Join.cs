using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Groups;

/// <summary>Joining and the join phase of a rebalance.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// JoinGroup. The task completes when the member may proceed: at once for errors,
    /// MEMBER_ID_REQUIRED (v4+, KIP-394) and unchanged followers of a stable group; otherwise when
    /// the join phase completes (everyone rejoined, the rebalance timeout, or the initial delay).
    /// </summary>
    public Task<JoinGroupResponse> JoinGroupAsync(JoinGroupRequest request, short version, string clientId, string clientHost)
    {
        var memberId = request.MemberId ?? "";
        if (ValidateGroupId(request.GroupId) is var invalid and not ErrorCode.None)
        {
            return Task.FromResult(JoinError(memberId, invalid));
        }
        if (request.SessionTimeoutMs < _options.MinSessionTimeoutMs || request.SessionTimeoutMs > _options.MaxSessionTimeoutMs)
        {
            return Task.FromResult(JoinError(memberId, ErrorCode.InvalidSessionTimeout));
        }
        if (_store.EnsureCreated() != ErrorCode.None)
        {
            return Task.FromResult(JoinError(memberId, ErrorCode.CoordinatorNotAvailable));
        }
        var join = new JoinParameters(
            request.GroupInstanceId,
            clientId,
            clientHost,
            version == 0 || request.RebalanceTimeoutMs <= 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs,
            request.SessionTimeoutMs,
            request.ProtocolType ?? "",
            request.Protocols.Select(p => new MemberProtocol(p.Name, p.Metadata ?? [])).ToList(),
            version);
        var isUnknown = memberId.Length == 0;
        var group = isUnknown ? GetOrCreate(request.GroupId) : Find(request.GroupId);
        if (group is null)
        {
            return Task.FromResult(JoinError(memberId, ErrorCode.UnknownMemberId));
        }
        var response = new TaskCompletionSource<JoinGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (group.Sync)
        {
            if (group.IsIn(GroupState.Dead))
            {
                response.TrySetResult(JoinError(memberId, ErrorCode.CoordinatorNotAvailable));
            }
            else if (!group.SupportsProtocols(join.ProtocolType, join.Protocols))
            {
                response.TrySetResult(JoinError(memberId, ErrorCode.InconsistentGroupProtocol));
            }
            else if ((isUnknown || group.PendingMembers.ContainsKey(memberId)) && group.MemberCount >= _options.MaxGroupSize)
            {
                response.TrySetResult(JoinError(memberId, ErrorCode.GroupMaxSizeReached));
            }
            else if (isUnknown)
            {
                JoinNewMember(group, join, response);
            }
            else
            {
                JoinExistingMember(group, memberId, join, response);
            }
        }
        return response.Task;
    }

    private sealed record JoinParameters(
        string? GroupInstanceId,
        string ClientId,
        string ClientHost,
        int RebalanceTimeoutMs,
        int SessionTimeoutMs,
        string ProtocolType,
        List<MemberProtocol> Protocols,
        short Version);

    private void JoinNewMember(ClassicGroup group, JoinParameters join, TaskCompletionSource<JoinGroupResponse> response)
    {
        var newMemberId = $"{join.GroupInstanceId ?? join.ClientId}-{Guid.NewGuid()}";
        if (join.GroupInstanceId is { } instanceId)
        {
            if (group.StaticMemberId(instanceId) is { } existing)
            {
                ReplaceStaticMember(group, existing, newMemberId, join, response);
            }
            else
            {
                AddMemberAndRebalance(group, newMemberId, join, response);
            }
        }
        else if (join.Version >= 4)
        {
            // KIP-394: hand out the id and wait for the member to come back with it, so a client
            // that times out and retries does not leave a defunct member behind.
            var timer = _time.CreateTimer(_ => OnPendingMemberExpired(group, newMemberId), null,
                TimeSpan.FromMilliseconds(join.SessionTimeoutMs), Timeout.InfiniteTimeSpan);
            group.PendingMembers[newMemberId] = timer;
            response.TrySetResult(JoinError(newMemberId, ErrorCode.MemberIdRequired));
        }
        else
        {
            AddMemberAndRebalance(group, newMemberId, join, response);
        }
    }

    private void JoinExistingMember(ClassicGroup group, string memberId, JoinParameters join, TaskCompletionSource<JoinGroupResponse> response)
    {
        if (group.PendingMembers.Remove(memberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            AddMemberAndRebalance(group, memberId, join, response);
            return;
        }
        if (group.ValidateMember(memberId, join.GroupInstanceId) is var error and not ErrorCode.None)
        {
            response.TrySetResult(JoinError(memberId, error));
            return;
        }
        var member = group.Get(memberId)!;
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                UpdateMember(group, member, join, response);
                MaybeCompleteJoin(group);
                break;
            case GroupState.CompletingRebalance when member.Matches(join.Protocols):
                // It missed the JoinGroup response (same metadata): answer with the current generation again.
                ArmSession(group, member, member.SessionTimeoutMs);
                response.TrySetResult(CurrentGeneration(group, member.MemberId, group.IsLeader(memberId)));
                break;
            case GroupState.Stable when !group.IsLeader(memberId) && member.Matches(join.Protocols):
                // A follower with nothing new: it only needs to sync again.
                ArmSession(group, member, member.SessionTimeoutMs);
                response.TrySetResult(CurrentGeneration(group, member.MemberId, includeMembers: false));
                break;
            case GroupState.CompletingRebalance:
            case GroupState.Stable:
                // The leader may rejoin to trigger a rebalance (e.g. new partitions); changed metadata always does.
                UpdateMember(group, member, join, response);
                PrepareRebalance(group, $"member {memberId} rejoined with {(member.Matches(join.Protocols) ? "the same" : "new")} metadata");
                break;
            default:
                response.TrySetResult(JoinError(memberId, ErrorCode.UnknownMemberId));
                break;
        }
    }

    /// <summary>KIP-345: a static member restarted (new member id, same instance id); the old id is fenced.</summary>
    private void ReplaceStaticMember(ClassicGroup group, string oldMemberId, string newMemberId, JoinParameters join, TaskCompletionSource<JoinGroupResponse> response)
    {
        var instanceId = join.GroupInstanceId!;
        var previousLeader = group.LeaderId;
        var existing = group.Get(oldMemberId)!;
        existing.AwaitingJoin?.TrySetResult(JoinError(oldMemberId, ErrorCode.FencedInstanceId));
        existing.AwaitingJoin = null;
        existing.AwaitingSync?.TrySetResult(SyncError(ErrorCode.FencedInstanceId));
        existing.AwaitingSync = null;
        var oldProtocols = existing.Protocols;
        var oldRebalanceTimeout = existing.RebalanceTimeoutMs;
        var oldSessionTimeout = existing.SessionTimeoutMs;
        var member = group.ReplaceStaticMember(instanceId, oldMemberId, newMemberId);
        UpdateMember(group, member, join, response);
        switch (group.State)
        {
            case GroupState.Stable when group.SelectProtocol() == group.ProtocolName:
            {
                // Nothing changes for the others: persist the new member id and let it sync its old assignment.
                member.AwaitingJoin = null;
                if (PersistGroup(group) is var error and not ErrorCode.None)
                {
                    group.ReplaceStaticMember(instanceId, newMemberId, oldMemberId);
                    member.Protocols = oldProtocols;
                    member.RebalanceTimeoutMs = oldRebalanceTimeout;
                    member.SessionTimeoutMs = oldSessionTimeout;
                    response.TrySetResult(JoinError("", error));
                    return;
                }
                // v9+ (KIP-814): a returning leader learns the members but skips computing an assignment.
                var isLeader = group.IsLeader(newMemberId);
                var result = join.Version >= 9
                    ? CurrentGeneration(group, newMemberId, isLeader)
                    : CurrentGeneration(group, newMemberId, includeMembers: false);
                result.SkipAssignment = join.Version >= 9 && isLeader;
                if (join.Version < 9)
                {
                    result.Leader = previousLeader ?? "";
                }
                response.TrySetResult(result);
                break;
            }
            case GroupState.Stable:
            case GroupState.CompletingRebalance:
                // The leader may already hold the old member id: rebalance so the new one gets an assignment.
                PrepareRebalance(group, $"static member {instanceId} rejoined as {newMemberId}");
                break;
            default:
                MaybeCompleteJoin(group);
                break;
        }
    }

    private void AddMemberAndRebalance(ClassicGroup group, string memberId, JoinParameters join, TaskCompletionSource<JoinGroupResponse> response)
    {
        var member = new GroupMember(memberId, join.GroupInstanceId, join.ClientId, join.ClientHost)
        {
            RebalanceTimeoutMs = join.RebalanceTimeoutMs,
            SessionTimeoutMs = join.SessionTimeoutMs,
            ProtocolType = join.ProtocolType,
            Protocols = join.Protocols,
            IsNew = true,
            AwaitingJoin = response,
        };
        if (group.IsIn(GroupState.PreparingRebalance) && group.InitialDelay)
        {
            group.NewMemberAdded = true;
        }
        group.Add(member);
        // A new member cannot heartbeat and its socket is parked: bound its wait instead.
        ArmSession(group, member, _options.NewMemberJoinTimeoutMs);
        if (group.IsIn(GroupState.PreparingRebalance))
        {
            MaybeCompleteJoin(group);
        }
        else
        {
            PrepareRebalance(group, $"new member {memberId} joined");
        }
    }

    private void UpdateMember(ClassicGroup group, GroupMember member, JoinParameters join, TaskCompletionSource<JoinGroupResponse> response)
    {
        member.Protocols = join.Protocols;
        member.RebalanceTimeoutMs = join.RebalanceTimeoutMs;
        member.SessionTimeoutMs = join.SessionTimeoutMs;
        member.ClientId = join.ClientId;
        member.ClientHost = join.ClientHost;
        // A duplicate JoinGroup (the client gave up on the first): the older request gets told to rejoin.
        member.AwaitingJoin?.TrySetResult(JoinError(member.MemberId, ErrorCode.RebalanceInProgress));
        member.AwaitingJoin = response;
        ArmSession(group, member, member.SessionTimeoutMs);
    }

    /// <summary>
    /// Starts a join phase. From Empty, waits group.initial.rebalance.delay.ms, extended while
    /// new members keep arriving, up to the rebalance timeout. Otherwise waits until every member
    /// has rejoined, at most the longest rebalance timeout. A pending assignment is abandoned.
    /// </summary>
    private void PrepareRebalance(ClassicGroup group, string reason)
    {
        if (group.IsIn(GroupState.CompletingRebalance))
        {
            foreach (var m in group.Members)
            {
                m.Assignment = [];
                m.AwaitingSync?.TrySetResult(SyncError(ErrorCode.RebalanceInProgress));
                m.AwaitingSync = null;
            }
        }
        group.SyncTimer?.Dispose();
        group.SyncTimer = null;
        var fromEmpty = group.IsIn(GroupState.Empty);
        group.TransitionTo(GroupState.PreparingRebalance, NowMs);
        LogRebalance(_logger, group.GroupId, group.GenerationId, reason);
        if (fromEmpty && _options.InitialRebalanceDelayMs > 0)
        {
            group.InitialDelay = true;
            group.NewMemberAdded = false;
            group.InitialDelayRemainingMs = Math.Max(group.RebalanceTimeoutMs - _options.InitialRebalanceDelayMs, 0);
            ArmJoinTimer(group, _options.InitialRebalanceDelayMs);
            return;
        }
        group.InitialDelay = false;
        ArmJoinTimer(group, group.RebalanceTimeoutMs);
        MaybeCompleteJoin(group);
    }

    private void ArmJoinTimer(ClassicGroup group, int delayMs)
    {
        group.JoinTimer?.Dispose();
        var token = ++group.JoinTimerToken;
        group.JoinTimer = _disposed ? null : _time.CreateTimer(_ => OnJoinTimer(group, token), null,
            TimeSpan.FromMilliseconds(Math.Max(delayMs, 1)), Timeout.InfiniteTimeSpan);
    }

    private void OnJoinTimer(ClassicGroup group, int token)
    {
        lock (group.Sync)
        {
            if (!group.IsIn(GroupState.PreparingRebalance) || group.JoinTimerToken != token)
            {
                return;
            }
            if (group.InitialDelay)
            {
                if (group.NewMemberAdded && group.InitialDelayRemainingMs > 0)
                {
                    var delay = Math.Min(_options.InitialRebalanceDelayMs, group.InitialDelayRemainingMs);
                    group.InitialDelayRemainingMs -= delay;
                    group.NewMemberAdded = false;
                    ArmJoinTimer(group, delay);
                    return;
                }
                group.InitialDelay = false;
            }
            CompleteJoin(group);
        }
    }

    private void MaybeCompleteJoin(ClassicGroup group)
    {
        if (group.IsIn(GroupState.PreparingRebalance) && !group.InitialDelay && group.AllMembersJoined)
        {
            CompleteJoin(group);
        }
    }

    /// <summary>
    /// Ends the join phase: members that did not rejoin are removed, the generation advances, a
    /// protocol is chosen, and every waiting member is answered (the leader with all members'
    /// metadata for that protocol, to compute the assignment from).
    /// </summary>
    private void CompleteJoin(ClassicGroup group)
    {
        group.JoinTimer?.Dispose();
        group.JoinTimer = null;
        foreach (var m in group.Members.Where(m => m.AwaitingJoin is null).ToList())
        {
            RemoveMember(group, m, "did not rejoin within the rebalance timeout");
        }
        group.GenerationId++;
        if (group.IsEmpty)
        {
            group.ProtocolName = null;
            group.LeaderId = null;
            group.TransitionTo(GroupState.Empty, NowMs);
            PersistGroup(group);
            LogGeneration(_logger, group.GroupId, group.GenerationId, 0, null);
            return;
        }
        group.ProtocolName = group.SelectProtocol();
        group.TransitionTo(GroupState.CompletingRebalance, NowMs);
        LogGeneration(_logger, group.GroupId, group.GenerationId, group.MemberCount, group.ProtocolName);
        foreach (var m in group.Members)
        {
            m.IsNew = false;
            m.HasSynced = false;
            var response = CurrentGeneration(group, m.MemberId, group.IsLeader(m.MemberId));
            m.AwaitingJoin!.TrySetResult(response);
            m.AwaitingJoin = null;
            ArmSession(group, m, m.SessionTimeoutMs);
        }
        var generation = group.GenerationId;
        group.SyncTimer = _disposed ? null : _time.CreateTimer(_ => OnSyncTimeout(group, generation), null,
            TimeSpan.FromMilliseconds(Math.Max(group.RebalanceTimeoutMs, 1)), Timeout.InfiniteTimeSpan);
    }

    private static JoinGroupResponse CurrentGeneration(ClassicGroup group, string memberId, bool includeMembers)
    {
        var response = new JoinGroupResponse
        {
            GenerationId = group.GenerationId,
            ProtocolType = group.ProtocolType,
            ProtocolName = group.ProtocolName,
            Leader = group.LeaderId ?? "",
            MemberId = memberId,
        };
        if (includeMembers)
        {
            foreach (var m in group.Members)
            {
                response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    Metadata = m.MetadataFor(group.ProtocolName) ?? [],
                });
            }
        }
        return response;
    }

    private static JoinGroupResponse JoinError(string memberId, ErrorCode error) => new()
    {
        ErrorCode = (short)error,
        GenerationId = -1,
        ProtocolType = null,
        ProtocolName = null,
        Leader = "",
        MemberId = memberId,
    };
}
