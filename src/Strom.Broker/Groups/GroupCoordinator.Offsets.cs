using System.Text;
using Strom.Protocol;
using Strom.Storage;

namespace Strom.Broker.Groups;

/// <summary>One partition of an OffsetCommit.</summary>
public readonly record struct OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp = -1);

/// <summary>One partition of an OffsetFetch answer; <see cref="Offset"/> is null when nothing is committed.</summary>
public readonly record struct FetchedOffset(string Topic, int Partition, CommittedOffset? Offset);

/// <summary>Committing, fetching, deleting and expiring offsets.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// OffsetCommit. A member commits with its generation (allowed while the group prepares a
    /// rebalance, refused with REBALANCE_IN_PROGRESS while the assignment is pending); tools and
    /// consumers without group management commit with generation -1 and no member id, which only
    /// an empty group accepts (creating it if needed). Returns one error per entry.
    /// </summary>
    /// <param name="retentionTimeMs">OffsetCommit v2-v4 retention (-1: the broker's).</param>
    public ErrorCode[] CommitOffsets(string groupId, int generationId, string memberId, string? groupInstanceId,
        long retentionTimeMs, IReadOnlyList<OffsetCommitEntry> entries)
    {
        var errors = new ErrorCode[entries.Count];
        var groupError = ValidateGroupId(groupId);
        ClassicGroup? group = null;
        if (groupError == ErrorCode.None)
        {
            group = Find(groupId);
            if (group is null)
            {
                if (generationId < 0)
                {
                    group = _store.EnsureCreated() == ErrorCode.None ? GetOrCreate(groupId) : null;
                    groupError = group is null ? ErrorCode.CoordinatorNotAvailable : ErrorCode.None;
                }
                else
                {
                    groupError = ErrorCode.IllegalGeneration;
                }
            }
        }
        if (group is null)
        {
            Array.Fill(errors, groupError);
            return errors;
        }
        lock (group.Sync)
        {
            groupError = ValidateCommit(group, generationId, memberId, groupInstanceId);
            if (groupError != ErrorCode.None)
            {
                Array.Fill(errors, groupError);
                return errors;
            }
            var now = NowMs;
            var records = new List<(byte[], byte[]?)>(entries.Count);
            var updates = new List<(int Index, TopicPartition Tp, CommittedOffset Offset)>(entries.Count);
            for (var i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                var metadata = e.Metadata ?? "";
                if (!_partitionExists(e.Topic, e.Partition))
                {
                    errors[i] = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                if (Encoding.UTF8.GetByteCount(metadata) > _options.OffsetMetadataMaxBytes)
                {
                    errors[i] = ErrorCode.OffsetMetadataTooLarge;
                    continue;
                }
                // v1 may carry the commit time; v1-v4 an expiry. Later versions leave retention to the broker.
                var commitTimestamp = e.CommitTimestamp >= 0 ? e.CommitTimestamp : now;
                var expire = retentionTimeMs >= 0 ? commitTimestamp + retentionTimeMs
                    : e.CommitTimestamp >= 0 ? commitTimestamp + _options.OffsetsRetentionMs : -1;
                var tp = new TopicPartition(e.Topic, e.Partition);
                var committed = new CommittedOffset(e.Offset, e.LeaderEpoch, metadata, commitTimestamp, expire);
                records.Add((GroupRecords.OffsetCommitKey(groupId, tp), GroupRecords.OffsetCommitValue(committed)));
                updates.Add((i, tp, committed));
            }
            var appendError = _store.Append(groupId, records, now);
            foreach (var (index, tp, committed) in updates)
            {
                errors[index] = appendError;
                if (appendError == ErrorCode.None)
                {
                    group.Offsets[tp] = committed;
                }
            }
            if (group.Get(memberId) is { } member && group.State is GroupState.Stable or GroupState.PreparingRebalance)
            {
                ArmSession(group, member, member.SessionTimeoutMs);
            }
        }
        return errors;
    }

    private static ErrorCode ValidateCommit(ClassicGroup group, int generationId, string memberId, string? groupInstanceId)
    {
        if (group.IsIn(GroupState.Dead))
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (generationId < 0 && group.IsIn(GroupState.Empty))
        {
            return ErrorCode.None;
        }
        if (generationId >= 0 || memberId.Length > 0 || groupInstanceId is not null)
        {
            if (group.ValidateMember(memberId, groupInstanceId) is var error and not ErrorCode.None)
            {
                return error;
            }
            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
        }
        else if (!group.IsIn(GroupState.Empty))
        {
            // No member id and no generation: only a group without members accepts that.
            return ErrorCode.UnknownMemberId;
        }
        return group.IsIn(GroupState.CompletingRebalance) ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>
    /// OffsetFetch for the given partitions, or every committed partition when
    /// <paramref name="partitions"/> is null. Unknown groups and partitions have no offset.
    /// </summary>
    public (ErrorCode Error, List<FetchedOffset> Offsets) FetchOffsets(string groupId, IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? partitions)
    {
        var result = new List<FetchedOffset>();
        if (ValidateGroupId(groupId) is var invalid and not ErrorCode.None)
        {
            return (invalid, result);
        }
        var group = Find(groupId);
        if (group is null)
        {
            foreach (var (topic, indexes) in partitions ?? [])
            {
                result.AddRange(indexes.Select(p => new FetchedOffset(topic, p, null)));
            }
            return (ErrorCode.None, result);
        }
        lock (group.Sync)
        {
            if (partitions is null)
            {
                result.AddRange(group.Offsets
                    .OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal).ThenBy(kv => kv.Key.Partition)
                    .Select(kv => new FetchedOffset(kv.Key.Topic, kv.Key.Partition, kv.Value)));
                return (ErrorCode.None, result);
            }
            foreach (var (topic, indexes) in partitions)
            {
                foreach (var p in indexes)
                {
                    result.Add(new FetchedOffset(topic, p,
                        group.Offsets.TryGetValue(new TopicPartition(topic, p), out var o) ? o : null));
                }
            }
        }
        return (ErrorCode.None, result);
    }

    /// <summary>
    /// OffsetDelete: removes committed offsets of topics the group no longer consumes.
    /// A group with members that does not use the consumer protocol gets NON_EMPTY_GROUP; a
    /// topic a member subscribes to gets GROUP_SUBSCRIBED_TO_TOPIC.
    /// </summary>
    public (ErrorCode Error, List<ErrorCode> Partitions) DeleteOffsets(string groupId, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        if (ValidateGroupId(groupId) is var invalid and not ErrorCode.None)
        {
            return (invalid, []);
        }
        if (Find(groupId) is not { } group)
        {
            return (ErrorCode.GroupIdNotFound, []);
        }
        var errors = new List<ErrorCode>(partitions.Count);
        lock (group.Sync)
        {
            if (group.IsIn(GroupState.Dead))
            {
                return (ErrorCode.GroupIdNotFound, []);
            }
            if (!group.IsEmpty && group.ProtocolType != "consumer")
            {
                return (ErrorCode.NonEmptyGroup, []);
            }
            var subscribed = group.IsEmpty ? null : group.SubscribedTopics();
            var records = new List<(byte[], byte[]?)>();
            var removed = new List<TopicPartition>();
            foreach (var (topic, partition) in partitions)
            {
                var tp = new TopicPartition(topic, partition);
                if (subscribed is not null && subscribed.Contains(topic))
                {
                    errors.Add(ErrorCode.GroupSubscribedToTopic);
                    continue;
                }
                if (!_partitionExists(topic, partition) && !group.Offsets.ContainsKey(tp))
                {
                    errors.Add(ErrorCode.UnknownTopicOrPartition);
                    continue;
                }
                errors.Add(ErrorCode.None);
                if (group.Offsets.ContainsKey(tp))
                {
                    records.Add((GroupRecords.OffsetCommitKey(groupId, tp), null));
                    removed.Add(tp);
                }
            }
            if (_store.Append(groupId, records, NowMs) is var error and not ErrorCode.None)
            {
                return (error, []);
            }
            foreach (var tp in removed)
            {
                group.Offsets.Remove(tp);
            }
        }
        return (ErrorCode.None, errors);
    }

    /// <summary>
    /// Removes offsets past offsets.retention.minutes: for an empty group counted from when it
    /// became empty (or from the commit, for groups that only commit), for a consumer group
    /// with members only for topics nobody subscribes to any more; an explicit expiry wins. An
    /// empty group left without offsets is deleted. Runs every offsets.retention.check.interval.ms.
    /// </summary>
    public int ExpireOffsets()
    {
        if (_disposed)
        {
            return 0;
        }
        var now = NowMs;
        var expiredOffsets = 0;
        var deadGroups = 0;
        foreach (var group in _groups.Values)
        {
            lock (group.Sync)
            {
                if (group.IsIn(GroupState.Dead))
                {
                    continue;
                }
                HashSet<string>? subscribed = null;
                var considerAll = group.IsIn(GroupState.Empty);
                if (!considerAll)
                {
                    subscribed = group.SubscribedTopics();
                }
                var expired = new List<TopicPartition>();
                foreach (var (tp, offset) in group.Offsets)
                {
                    bool isExpired;
                    if (offset.ExpireTimestamp >= 0)
                    {
                        isExpired = now >= offset.ExpireTimestamp;
                    }
                    else if (considerAll)
                    {
                        var since = group.ProtocolType is not null && group.CurrentStateTimestamp >= 0 ? group.CurrentStateTimestamp : offset.CommitTimestamp;
                        isExpired = now - since >= _options.OffsetsRetentionMs;
                    }
                    else
                    {
                        isExpired = subscribed is not null && !subscribed.Contains(tp.Topic) && now - offset.CommitTimestamp >= _options.OffsetsRetentionMs;
                    }
                    if (isExpired)
                    {
                        expired.Add(tp);
                    }
                }
                var records = expired.Select(tp => (GroupRecords.OffsetCommitKey(group.GroupId, tp), (byte[]?)null)).ToList();
                var becomesDead = group.IsIn(GroupState.Empty) && group.Offsets.Count == expired.Count;
                if (becomesDead)
                {
                    records.Add((GroupRecords.GroupMetadataKey(group.GroupId), null));
                }
                if (records.Count == 0 || _store.Append(group.GroupId, records, now) != ErrorCode.None)
                {
                    continue;
                }
                foreach (var tp in expired)
                {
                    group.Offsets.Remove(tp);
                }
                expiredOffsets += expired.Count;
                if (becomesDead)
                {
                    group.TransitionTo(GroupState.Dead, now);
                    Forget(group);
                    deadGroups++;
                }
            }
        }
        if (expiredOffsets > 0 || deadGroups > 0)
        {
            LogExpired(_logger, expiredOffsets, deadGroups);
        }
        return expiredOffsets;
    }
}
