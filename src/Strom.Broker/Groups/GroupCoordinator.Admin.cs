using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Groups;

/// <summary>A group as ListGroups reports it.</summary>
public readonly record struct GroupListing(string GroupId, string ProtocolType, GroupState State);

/// <summary>ListGroups, DescribeGroups and DeleteGroups.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>Every live group, optionally only those in the given states (names as Kafka spells them, any case).</summary>
    public List<GroupListing> ListGroups(IReadOnlyCollection<string>? statesFilter = null)
    {
        var states = statesFilter is { Count: > 0 } ? statesFilter.Select(GroupStates.Parse).ToHashSet() : null;
        var result = new List<GroupListing>();
        foreach (var group in _groups.Values)
        {
            lock (group.Sync)
            {
                if (group.IsIn(GroupState.Dead) || (states is not null && !states.Contains(group.State)))
                {
                    continue;
                }
                result.Add(new GroupListing(group.GroupId, group.ProtocolType ?? "", group.State));
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return result;
    }

    /// <summary>
    /// DescribeGroups for one group. An unknown group is described as Dead without error, as
    /// Kafka does. Member metadata and assignments are included only while the group is Stable.
    /// </summary>
    public DescribeGroupsResponse.DescribedGroup DescribeGroup(string groupId)
    {
        var described = new DescribeGroupsResponse.DescribedGroup
        {
            GroupId = groupId ?? "",
            GroupState = GroupStates.Name(GroupState.Dead),
            ProtocolType = "",
            ProtocolData = "",
            AuthorizedOperations = int.MinValue,
        };
        if (ValidateGroupId(groupId) is var invalid and not ErrorCode.None)
        {
            described.ErrorCode = (short)invalid;
            return described;
        }
        if (Find(groupId!) is not { } group)
        {
            return described;
        }
        lock (group.Sync)
        {
            described.GroupState = GroupStates.Name(group.State);
            described.ProtocolType = group.ProtocolType ?? "";
            var stable = group.IsIn(GroupState.Stable);
            described.ProtocolData = stable ? group.ProtocolName ?? "" : "";
            foreach (var m in group.Members)
            {
                described.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = stable ? m.MetadataFor(group.ProtocolName) ?? [] : [],
                    MemberAssignment = stable ? m.Assignment : [],
                });
            }
        }
        return described;
    }

    /// <summary>
    /// DeleteGroups for one group: only an empty group can be deleted (NON_EMPTY_GROUP otherwise);
    /// its offsets and metadata get tombstones in __consumer_offsets.
    /// </summary>
    public ErrorCode DeleteGroup(string groupId)
    {
        if (ValidateGroupId(groupId) is var invalid and not ErrorCode.None)
        {
            return invalid;
        }
        if (Find(groupId) is not { } group)
        {
            return ErrorCode.GroupIdNotFound;
        }
        lock (group.Sync)
        {
            if (group.IsIn(GroupState.Dead))
            {
                return ErrorCode.GroupIdNotFound;
            }
            if (!group.IsIn(GroupState.Empty))
            {
                return ErrorCode.NonEmptyGroup;
            }
            var records = group.Offsets.Keys.Select(tp => (GroupRecords.OffsetCommitKey(groupId, tp), (byte[]?)null)).ToList();
            records.Add((GroupRecords.GroupMetadataKey(groupId), null));
            if (_store.Append(groupId, records, NowMs) is var error and not ErrorCode.None)
            {
                return error;
            }
            group.Offsets.Clear();
            foreach (var timer in group.PendingMembers.Values)
            {
                timer.Dispose();
            }
            group.PendingMembers.Clear();
            group.JoinTimer?.Dispose();
            group.TransitionTo(GroupState.Dead, NowMs);
            Forget(group);
        }
        return ErrorCode.None;
    }
}
