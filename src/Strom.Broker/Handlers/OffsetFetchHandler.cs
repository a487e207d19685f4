using Strom.Broker.Groups;
using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// OffsetFetch (9): committed offsets, -1 where none. v2+ a null topic list asks for all and
/// errors move to the top level; v5+ the leader epoch; v8+ several groups per request.
/// </summary>
public sealed class OffsetFetchHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 9;

    public OffsetFetchResponse Handle(RequestContext context, OffsetFetchRequest request)
    {
        var version = context.ApiVersion;
        var response = new OffsetFetchResponse();
        if (version >= 8)
        {
            foreach (var g in request.Groups)
            {
                var wanted = g.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
                var (error, offsets) = broker.Groups.FetchOffsets(g.GroupId, wanted);
                var group = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId, ErrorCode = (short)error };
                response.Groups.Add(group);
                foreach (var (topic, partitions) in ByTopic(offsets))
                {
                    var t = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = topic };
                    group.Topics.Add(t);
                    foreach (var o in partitions)
                    {
                        t.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = o.Partition,
                            CommittedOffset = o.Offset?.Offset ?? -1,
                            CommittedLeaderEpoch = o.Offset?.LeaderEpoch ?? -1,
                            Metadata = o.Offset?.Metadata ?? "",
                        });
                    }
                }
            }
            return response;
        }
        var requested = version >= 2 && request.Topics is null
            ? null
            : (request.Topics ?? []).Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
        var (groupError, fetched) = broker.Groups.FetchOffsets(request.GroupId, requested);
        if (version >= 2)
        {
            response.ErrorCode = (short)groupError;
        }
        if (groupError != ErrorCode.None && version < 2 && requested is not null)
        {
            // v0-v1 have no top-level error: every requested partition carries it.
            fetched = requested.SelectMany(t => t.Item2.Select(p => new FetchedOffset(t.Name, p, null))).ToList();
        }
        foreach (var (topic, partitions) in ByTopic(fetched))
        {
            var t = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic };
            response.Topics.Add(t);
            foreach (var o in partitions)
            {
                t.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = o.Partition,
                    CommittedOffset = o.Offset?.Offset ?? -1,
                    CommittedLeaderEpoch = o.Offset?.LeaderEpoch ?? -1,
                    Metadata = o.Offset?.Metadata ?? "",
                    ErrorCode = version < 2 ? (short)groupError : (short)0,
                });
            }
        }
        return response;
    }

    private static IEnumerable<(string Topic, List<FetchedOffset> Partitions)> ByTopic(List<FetchedOffset> offsets)
    {
        var order = new List<string>();
        var byTopic = new Dictionary<string, List<FetchedOffset>>(StringComparer.Ordinal);
        foreach (var o in offsets)
        {
            if (!byTopic.TryGetValue(o.Topic, out var list))
            {
                byTopic[o.Topic] = list = [];
                order.Add(o.Topic);
            }
            list.Add(o);
        }
        return order.Select(t => (t, byTopic[t]));
    }
}
