using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Consumer.Groups;

internal sealed partial class GroupMembership
{
    /// <summary>JoinGroup and SyncGroup can be held by the coordinator for a whole rebalance: allow the rebalance timeout and then some, as Java does.</summary>
    private TimeSpan RebalanceWait => TimeSpan.FromMilliseconds(Math.Max(_options.Client.RequestTimeoutMs, _options.MaxPollIntervalMs + 5000L));

    /// <summary>One round of joining: prepare (eager: revoke all), JoinGroup until admitted, assign if leader, SyncGroup, apply.</summary>
    private async Task JoinAndSyncAsync(CancellationToken cancellationToken)
    {
        if (!_cooperative && _owned.Count > 0)
        {
            await RevokeAsync([.. _owned], cancellationToken).ConfigureAwait(false);
        }
        var topics = await ResolveTopicsAsync(cancellationToken).ConfigureAwait(false);
        _joinedTopics = topics;
        _needRejoin = false;
        JoinGroupResponse join;
        while (true)
        {
            var request = new JoinGroupRequest
            {
                GroupId = _groupId,
                SessionTimeoutMs = _options.SessionTimeoutMs,
                RebalanceTimeoutMs = _options.MaxPollIntervalMs,
                MemberId = _memberId,
                GroupInstanceId = _options.GroupInstanceId,
                ProtocolType = ConsumerProtocol.ProtocolType,
                Protocols = _assignors.Select(a => new JoinGroupRequest.JoinGroupRequestProtocol
                {
                    Name = a.Name,
                    Metadata = ConsumerProtocol.EncodeSubscription(topics, _cooperative ? _owned : [], _generation, _options.ClientRack,
                        a.SubscriptionUserData(_lastAssignment, _generation)),
                }).ToList(),
                Reason = "joining the group",
            };
            join = await SendToCoordinatorAsync<JoinGroupResponse>(request, RebalanceWait, cancellationToken).ConfigureAwait(false);
            var error = (ErrorCode)join.ErrorCode;
            if (error == ErrorCode.MemberIdRequired)
            {
                _memberId = join.MemberId;
                continue;
            }
            if (error is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration)
            {
                await LoseAsync().ConfigureAwait(false);
                _memberId = error == ErrorCode.UnknownMemberId ? "" : _memberId;
                _needRejoin = true;
            }
            else if (error is ErrorCode.RebalanceInProgress)
            {
                _needRejoin = true;
            }
            if (error != ErrorCode.None)
            {
                ClientThrow.Error(error, null, $"join group '{_groupId}'");
            }
            break;
        }
        _memberId = join.MemberId;
        _generation = join.GenerationId;
        ProtocolName = join.ProtocolName;
        _isLeader = join.Leader == join.MemberId;
        var assignments = new List<SyncGroupRequest.SyncGroupRequestAssignment>();
        if (_isLeader && !join.SkipAssignment)
        {
            foreach (var (member, partitions) in await AssignAsync(join, cancellationToken).ConfigureAwait(false))
            {
                assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = member, Assignment = ConsumerProtocol.EncodeAssignment(partitions) });
            }
        }
        var sync = await SendToCoordinatorAsync<SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = _groupId,
            GenerationId = _generation,
            MemberId = _memberId,
            GroupInstanceId = _options.GroupInstanceId,
            ProtocolType = ConsumerProtocol.ProtocolType,
            ProtocolName = ProtocolName,
            Assignments = assignments,
        }, RebalanceWait, cancellationToken).ConfigureAwait(false);
        var syncError = (ErrorCode)sync.ErrorCode;
        if (syncError != ErrorCode.None)
        {
            _needRejoin = true;
            if (syncError is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration)
            {
                await LoseAsync().ConfigureAwait(false);
                _memberId = syncError == ErrorCode.UnknownMemberId ? "" : _memberId;
            }
            ClientThrow.Error(syncError, null, $"sync group '{_groupId}'");
        }
        var assigned = ConsumerProtocol.DecodeAssignment(sync.Assignment).ToHashSet();
        await ApplyAssignmentAsync(assigned, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The leader's job: every member's subscription, the partition counts of their topics, the chosen assignor.</summary>
    private async Task<IReadOnlyDictionary<string, List<TopicPartition>>> AssignAsync(JoinGroupResponse join, CancellationToken cancellationToken)
    {
        var assignor = _assignors.FirstOrDefault(a => a.Name == join.ProtocolName)
            ?? throw new KafkaException(ErrorCode.InconsistentGroupProtocol, $"the coordinator chose assignor '{join.ProtocolName}', which this member did not offer");
        var members = join.Members.Select(m => ConsumerProtocol.DecodeSubscription(m.MemberId, m.GroupInstanceId, m.Metadata)).ToList();
        var counts = await PartitionCountsAsync(members.SelectMany(m => m.Topics), cancellationToken).ConfigureAwait(false);
        _leaderCounts = counts;
        return assignor.Assign(counts, members);
    }

    /// <summary>
    /// Takes the new assignment: revokes what is no longer ours (cooperative: then rejoins, the
    /// second rebalance), starts the new partitions at their committed offsets, tells the application.
    /// </summary>
    private async Task ApplyAssignmentAsync(HashSet<TopicPartition> assigned, CancellationToken cancellationToken)
    {
        var revoked = _owned.Where(tp => !assigned.Contains(tp)).ToList();
        var added = assigned.Where(tp => !_owned.Contains(tp)).ToList();
        if (revoked.Count > 0)
        {
            await RevokeAsync(revoked, cancellationToken).ConfigureAwait(false);
            if (_cooperative)
            {
                _needRejoin = true;
            }
        }
        var committed = added.Count == 0
            ? new Dictionary<TopicPartition, OffsetAndMetadata?>()
            : await FetchCommittedAsync(added, cancellationToken).ConfigureAwait(false);
        _consumer.AddAssigned(added.ToDictionary(tp => tp, tp => committed.TryGetValue(tp, out var c) ? c?.Offset : null));
        lock (_lock)
        {
            foreach (var tp in added)
            {
                if (committed.TryGetValue(tp, out var c) && c is { } offset)
                {
                    _lastCommitted[tp] = offset.Offset;
                }
            }
        }
        _owned = assigned;
        _lastAssignment = [.. assigned];
        await _consumer.InvokeCallbackAsync(_consumer.PartitionsAssigned, added.Order().ToList()).ConfigureAwait(false);
    }

    /// <summary>Gives partitions up in order: the application's callback, then an auto commit of their positions, then the fetcher forgets them.</summary>
    private async Task RevokeAsync(List<TopicPartition> revoked, CancellationToken cancellationToken)
    {
        await _consumer.InvokeCallbackAsync(_consumer.PartitionsRevoked, revoked.Order().ToList()).ConfigureAwait(false);
        var positions = _consumer.RemoveAssigned(revoked);
        _owned.ExceptWith(revoked);
        if (_options.EnableAutoCommit && positions.Count > 0 && _generation >= 0)
        {
            try
            {
                await CommitAsync(positions.ToDictionary(kv => kv.Key, kv => new OffsetAndMetadata(kv.Value)), cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                // The group moved on; the next owner starts from the last successful commit.
            }
        }
    }

    /// <summary>The member was removed by the coordinator: its partitions are lost, not revoked (no commit is possible).</summary>
    private async Task LoseAsync()
    {
        _generation = -1;
        _isLeader = false;
        if (_owned.Count == 0)
        {
            return;
        }
        var lost = _owned.Order().ToList();
        _consumer.RemoveAssigned(lost);
        _owned = [];
        await _consumer.InvokeCallbackAsync(_consumer.PartitionsLost ?? _consumer.PartitionsRevoked, lost).ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var response = await SendToCoordinatorAsync<HeartbeatResponse>(new HeartbeatRequest
        {
            GroupId = _groupId,
            GenerationId = _generation,
            MemberId = _memberId,
            GroupInstanceId = _options.GroupInstanceId,
        }, null, cancellationToken).ConfigureAwait(false);
        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                return;
            case ErrorCode.RebalanceInProgress:
                _needRejoin = true;
                return;
            case ErrorCode.UnknownMemberId:
                await LoseAsync().ConfigureAwait(false);
                _memberId = "";
                _needRejoin = true;
                return;
            case ErrorCode.IllegalGeneration:
                await LoseAsync().ConfigureAwait(false);
                _needRejoin = true;
                return;
            case var error:
                ClientThrow.Error(error, null, $"heartbeat to group '{_groupId}'");
                return;
        }
    }

    /// <summary>
    /// Leaves the group on close: revokes (auto-committing positions), then LeaveGroup so the
    /// others rebalance at once. Static members do not leave (KIP-345): they keep their
    /// partitions if they come back within session.timeout.ms.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        if (_generation < 0 && _memberId.Length == 0)
        {
            return;
        }
        try
        {
            if (_owned.Count > 0)
            {
                await RevokeAsync([.. _owned], cancellationToken).ConfigureAwait(false);
            }
            if (_options.GroupInstanceId is null && _memberId.Length > 0)
            {
                await SendToCoordinatorAsync<LeaveGroupResponse>(new LeaveGroupRequest
                {
                    GroupId = _groupId,
                    MemberId = _memberId,
                    Members = [new LeaveGroupRequest.MemberIdentity { MemberId = _memberId, GroupInstanceId = null, Reason = "the consumer is closing" }],
                }, null, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is KafkaException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing anyway: the coordinator drops the member after its session timeout.
        }
        _generation = -1;
        _memberId = "";
    }
}
