using Strom.Client.Cluster;
using Strom.Client.Consumer;
using Strom.Client.Consumer.Groups;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Admin;

/// <summary>A group as ListGroups names it.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string State);

/// <summary>A member of a described group, with its assignment decoded when the group uses the consumer protocol.</summary>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A group as DescribeGroups describes it: state, chosen assignor (protocol) and members.</summary>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members);

/// <summary>Consumer group administration: list, describe, delete, and read or set committed offsets.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>ListGroups on every broker (each lists the groups it coordinates), sorted by id.</summary>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        var metadata = await _cluster.RefreshAsync([], allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<string, GroupListing>(StringComparer.Ordinal);
        foreach (var broker in metadata.Brokers.Keys)
        {
            var response = await _cluster.SendToNodeAsync<ListGroupsResponse>(broker, new ListGroupsRequest(), cancellationToken).ConfigureAwait(false);
            ClientThrow.IfError(response.ErrorCode, null, $"list groups on broker {broker}");
            foreach (var g in response.Groups)
            {
                groups[g.GroupId] = new GroupListing(g.GroupId, g.ProtocolType, string.IsNullOrEmpty(g.GroupState) ? "Unknown" : g.GroupState);
            }
        }
        return groups.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToArray();
    }

    /// <summary>DescribeGroups at the group's coordinator; a group that does not exist is described as state Dead.</summary>
    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        var response = await SendToCoordinatorAsync<DescribeGroupsResponse>(groupId, new DescribeGroupsRequest { Groups = [groupId] }, cancellationToken).ConfigureAwait(false);
        var group = response.Groups.FirstOrDefault() ?? throw new KafkaException(ErrorCode.UnknownServerError, $"no description returned for group '{groupId}'");
        ClientThrow.IfError(group.ErrorCode, null, $"describe group '{groupId}'");
        var consumer = group.ProtocolType == ConsumerProtocol.ProtocolType;
        var members = group.Members.Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            consumer ? SafeAssignment(m.MemberAssignment) : [])).ToArray();
        return new GroupDescription(group.GroupId, group.GroupState, group.ProtocolType, group.ProtocolData, members);
    }

    private static IReadOnlyList<TopicPartition> SafeAssignment(byte[] bytes)
    {
        try
        {
            return ConsumerProtocol.DecodeAssignment(bytes);
        }
        catch (ProtocolException)
        {
            return [];
        }
    }

    /// <summary>Deletes groups (they must have no members); throws naming the first that failed, e.g. NON_EMPTY_GROUP.</summary>
    public async Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        foreach (var groupId in groupIds)
        {
            var response = await SendToCoordinatorAsync<DeleteGroupsResponse>(groupId, new DeleteGroupsRequest { GroupsNames = [groupId] }, cancellationToken).ConfigureAwait(false);
            foreach (var result in response.Results)
            {
                ClientThrow.IfError(result.ErrorCode, null, $"delete group '{result.GroupId}'");
            }
        }
    }

    /// <summary>The group's committed offsets: of the given partitions, or (null) of every partition it has committed.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>> ListGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition>? partitions = null,
        CancellationToken cancellationToken = default)
    {
        var topics = partitions?.GroupBy(tp => tp.Topic).ToArray();
        var request = new OffsetFetchRequest
        {
            GroupId = groupId,
            Topics = topics?.Select(t => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = t.Key, PartitionIndexes = t.Select(tp => tp.Partition).ToList() }).ToList(),
            Groups =
            [
                new OffsetFetchRequest.OffsetFetchRequestGroup
                {
                    GroupId = groupId,
                    MemberEpoch = -1,
                    Topics = topics?.Select(t => new OffsetFetchRequest.OffsetFetchRequestTopics { Name = t.Key, PartitionIndexes = t.Select(tp => tp.Partition).ToList() }).ToList(),
                },
            ],
        };
        var response = await SendToCoordinatorAsync<OffsetFetchResponse>(groupId, request, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<TopicPartition, OffsetAndMetadata>();
        void Add(string topic, int partition, long offset, string? metadata, short error)
        {
            ClientThrow.IfError(error, null, $"committed offset of {topic}-{partition} in group '{groupId}'");
            if (offset >= 0)
            {
                result[new TopicPartition(topic, partition)] = new OffsetAndMetadata(offset, metadata);
            }
        }
        if (response.Groups.Count > 0)
        {
            ClientThrow.IfError(response.Groups[0].ErrorCode, null, $"committed offsets of group '{groupId}'");
            foreach (var t in response.Groups[0].Topics)
            {
                foreach (var p in t.Partitions)
                {
                    Add(t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata, p.ErrorCode);
                }
            }
        }
        else
        {
            ClientThrow.IfError(response.ErrorCode, null, $"committed offsets of group '{groupId}'");
            foreach (var t in response.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    Add(t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata, p.ErrorCode);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Sets committed offsets of a group (OffsetCommit outside any generation). The coordinator
    /// refuses while the group has members (UNKNOWN_MEMBER_ID), as Kafka's does: stop the consumers first.
    /// </summary>
    public async Task AlterGroupOffsetsAsync(string groupId, IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, CancellationToken cancellationToken = default)
    {
        var request = new OffsetCommitRequest
        {
            GroupId = groupId,
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            RetentionTimeMs = -1,
            Topics = OffsetCommitTopics.From(offsets),
        };
        var response = await SendToCoordinatorAsync<OffsetCommitResponse>(groupId, request, cancellationToken).ConfigureAwait(false);
        foreach (var t in response.Topics)
        {
            foreach (var p in t.Partitions)
            {
                ClientThrow.IfError(p.ErrorCode, null, $"set offset of {t.Name}-{p.PartitionIndex} in group '{groupId}'");
            }
        }
    }

    /// <summary>FindCoordinator, then the request to that broker; retried while the coordinator moves or loads.</summary>
    private Task<TResponse> SendToCoordinatorAsync<TResponse>(string groupId, IRequestMessage request, CancellationToken cancellationToken)
        where TResponse : class, IResponseMessage =>
        _cluster.RetryAsync(async ct =>
        {
            var find = await _cluster.SendToAnyAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = groupId, KeyType = 0, CoordinatorKeys = [groupId] }, ct).ConfigureAwait(false);
            var (error, message, node) = find.Coordinators.Count > 0
                ? (find.Coordinators[0].ErrorCode, find.Coordinators[0].ErrorMessage, find.Coordinators[0].NodeId)
                : (find.ErrorCode, find.ErrorMessage, find.NodeId);
            ClientThrow.IfError(error, message, $"find coordinator of group '{groupId}'");
            if (!_cluster.Metadata.Brokers.ContainsKey(node))
            {
                await _cluster.RefreshAsync([], allowAutoCreate: false, ct).ConfigureAwait(false);
            }
            var response = await _cluster.SendToNodeAsync<TResponse>(node, request, ct).ConfigureAwait(false);
            var code = response switch
            {
                DescribeGroupsResponse r => r.Groups.FirstOrDefault()?.ErrorCode ?? 0,
                DeleteGroupsResponse r => r.Results.FirstOrDefault()?.ErrorCode ?? 0,
                OffsetFetchResponse r => r.Groups.Count > 0 ? r.Groups[0].ErrorCode : r.ErrorCode,
                OffsetCommitResponse r => r.Topics.SelectMany(t => t.Partitions).FirstOrDefault()?.ErrorCode ?? 0,
                _ => (short)0,
            };
            if ((ErrorCode)code is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress)
            {
                ClientThrow.Error((ErrorCode)code, null, $"group '{groupId}'");
            }
            return response;
        }, static ex => ex.ErrorCode is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress
            or ErrorCode.NetworkException, cancellationToken);

    /// <summary>The end offset (high watermark) of each partition, for lag.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> EndOffsetsAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        var found = await OffsetLookup.ListOffsetsAsync(_cluster, partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest),
            Config.IsolationLevel.ReadUncommitted, cancellationToken).ConfigureAwait(false);
        return found.ToDictionary(kv => kv.Key, kv => kv.Value.Offset);
    }
}
