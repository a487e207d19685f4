using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Consumer.Groups;

internal sealed partial class GroupMembership
{
    /// <summary>
    /// OffsetCommit with this member's generation and id (or -1 and "" outside a generation, which
    /// the coordinator accepts for groups with no members: manual assignment). Coordinator moves
    /// are retried until request.timeout.ms; REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION and
    /// UNKNOWN_MEMBER_ID mean the partitions may belong to another member now: the commit fails.
    /// </summary>
    public async Task CommitAsync(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0)
        {
            return;
        }
        await _cluster.RetryAsync(async ct =>
        {
            var request = new OffsetCommitRequest
            {
                GroupId = _groupId,
                GenerationIdOrMemberEpoch = _generation,
                MemberId = _memberId,
                GroupInstanceId = _generation >= 0 ? _options.GroupInstanceId : null,
                RetentionTimeMs = -1,
                Topics = OffsetCommitTopics.From(offsets),
            };
            var response = await SendToCoordinatorAsync<OffsetCommitResponse>(request, null, ct).ConfigureAwait(false);
            foreach (var topic in response.Topics)
            {
                foreach (var partition in topic.Partitions)
                {
                    var error = (ErrorCode)partition.ErrorCode;
                    if (error == ErrorCode.None)
                    {
                        continue;
                    }
                    if (IsCoordinatorError(error))
                    {
                        _coordinator = null;
                    }
                    if (error is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
                    {
                        _needRejoin = true;
                        Wake();
                        throw new KafkaException(error, $"commit to group '{_groupId}' failed: the group rebalanced ({error.ToKafkaName()}); "
                            + "the partitions may be assigned to another member");
                    }
                    ClientThrow.Error(error, null, $"commit {topic.Name}-{partition.PartitionIndex} to group '{_groupId}'");
                }
            }
            return true;
        }, static ex => ex.ErrorCode is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress
            or ErrorCode.NetworkException or ErrorCode.RequestTimedOut, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var (tp, offset) in offsets)
            {
                _lastCommitted[tp] = offset.Offset;
            }
        }
    }

    /// <summary>Commits the positions that moved since the last commit.</summary>
    private async Task AutoCommitAsync(CancellationToken cancellationToken)
    {
        var positions = _consumer.Positions();
        Dictionary<TopicPartition, OffsetAndMetadata> changed;
        lock (_lock)
        {
            changed = positions.Where(kv => !_lastCommitted.TryGetValue(kv.Key, out var last) || last != kv.Value)
                .ToDictionary(kv => kv.Key, kv => new OffsetAndMetadata(kv.Value));
        }
        try
        {
            await CommitAsync(changed, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException ex) when (!IsFatal(ex.ErrorCode))
        {
            // Retried at the next interval; a rebalance is already under way if the group moved.
        }
    }

    /// <summary>
    /// OffsetFetch: the committed offset of each partition, null where none is. v8+ carry the
    /// group in a list; older versions in the top-level fields (both are filled, the version picks).
    /// </summary>
    public async Task<Dictionary<TopicPartition, OffsetAndMetadata?>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var topics = partitions.GroupBy(tp => tp.Topic).ToArray();
        return await _cluster.RetryAsync(async ct =>
        {
            var request = new OffsetFetchRequest
            {
                GroupId = _groupId,
                Topics = topics.Select(t => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = t.Key, PartitionIndexes = t.Select(tp => tp.Partition).ToList() }).ToList(),
                Groups =
                [
                    new OffsetFetchRequest.OffsetFetchRequestGroup
                    {
                        GroupId = _groupId,
                        MemberId = null,
                        MemberEpoch = -1,
                        Topics = topics.Select(t => new OffsetFetchRequest.OffsetFetchRequestTopics { Name = t.Key, PartitionIndexes = t.Select(tp => tp.Partition).ToList() }).ToList(),
                    },
                ],
                RequireStable = true,
            };
            var response = await SendToCoordinatorAsync<OffsetFetchResponse>(request, null, ct).ConfigureAwait(false);
            var result = new Dictionary<TopicPartition, OffsetAndMetadata?>();
            if (response.Groups.Count > 0)
            {
                var group = response.Groups[0];
                ThrowIfFetchError(group.ErrorCode);
                foreach (var topic in group.Topics)
                {
                    foreach (var p in topic.Partitions)
                    {
                        ThrowIfFetchError(p.ErrorCode);
                        result[new TopicPartition(topic.Name, p.PartitionIndex)] = p.CommittedOffset < 0 ? null : new OffsetAndMetadata(p.CommittedOffset, p.Metadata);
                    }
                }
            }
            else
            {
                ThrowIfFetchError(response.ErrorCode);
                foreach (var topic in response.Topics)
                {
                    foreach (var p in topic.Partitions)
                    {
                        ThrowIfFetchError(p.ErrorCode);
                        result[new TopicPartition(topic.Name, p.PartitionIndex)] = p.CommittedOffset < 0 ? null : new OffsetAndMetadata(p.CommittedOffset, p.Metadata);
                    }
                }
            }
            foreach (var tp in partitions)
            {
                result.TryAdd(tp, null);
            }
            return result;
        }, static ex => ex.ErrorCode is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress
            or ErrorCode.NetworkException or ErrorCode.RequestTimedOut or ErrorCode.UnstableOffsetCommit, cancellationToken).ConfigureAwait(false);
    }

    private void ThrowIfFetchError(short code)
    {
        if (code != 0)
        {
            if (IsCoordinatorError((ErrorCode)code))
            {
                _coordinator = null;
            }
            ClientThrow.Error((ErrorCode)code, null, $"fetch committed offsets of group '{_groupId}'");
        }
    }
}
