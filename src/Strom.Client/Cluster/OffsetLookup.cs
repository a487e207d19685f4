using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Cluster;

/// <summary>Special ListOffsets timestamps (KIP-734 for max timestamp).</summary>
public static class OffsetSpec
{
    public const long Latest = -1;
    public const long Earliest = -2;
    public const long MaxTimestamp = -3;
}

/// <summary>An offset found by ListOffsets and the timestamp of its record (-1 for earliest/latest).</summary>
public readonly record struct OffsetAndTimestamp(long Offset, long Timestamp);

/// <summary>
/// ListOffsets (API 2) across leaders: one request per leader, retried while leaders move.
/// For a timestamp the broker answers with the first offset whose timestamp is at or after
/// it, or -1 when there is none.
/// </summary>
internal static class OffsetLookup
{
    public static async Task<Dictionary<TopicPartition, OffsetAndTimestamp>> ListOffsetsAsync(KafkaCluster cluster,
        IReadOnlyDictionary<TopicPartition, long> query, IsolationLevel isolation, CancellationToken cancellationToken)
    {
        var results = new Dictionary<TopicPartition, OffsetAndTimestamp>();
        var remaining = new Dictionary<TopicPartition, long>(query);
        await cluster.RetryAsync<bool>(async ct =>
        {
            foreach (var topic in remaining.Keys.Select(tp => tp.Topic).Distinct())
            {
                await cluster.GetTopicAsync(topic, allowAutoCreate: false, cancellationToken: ct).ConfigureAwait(false);
            }
            var metadata = cluster.Metadata;
            var byLeader = remaining.GroupBy(kv => LeaderOf(metadata, kv.Key));
            KafkaException? retriable = null;
            foreach (var group in byLeader.ToArray())
            {
                var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = (sbyte)isolation, TimeoutMs = cluster.Options.RequestTimeoutMs };
                foreach (var topic in group.GroupBy(kv => kv.Key.Topic))
                {
                    request.Topics.Add(new ListOffsetsRequest.ListOffsetsTopic
                    {
                        Name = topic.Key,
                        Partitions = topic.Select(kv => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = kv.Key.Partition, Timestamp = kv.Value }).ToList(),
                    });
                }
                var response = await cluster.SendToNodeAsync<ListOffsetsResponse>(group.Key, request, ct).ConfigureAwait(false);
                foreach (var topic in response.Topics)
                {
                    foreach (var p in topic.Partitions)
                    {
                        var tp = new TopicPartition(topic.Name, p.PartitionIndex);
                        if (p.ErrorCode == 0)
                        {
                            results[tp] = new OffsetAndTimestamp(p.Offset, p.Timestamp);
                            remaining.Remove(tp);
                            continue;
                        }
                        var error = new KafkaException((ErrorCode)p.ErrorCode, $"list offsets of {tp}: {((ErrorCode)p.ErrorCode).ToKafkaName()}");
                        if (!error.IsRetriable)
                        {
                            throw error;
                        }
                        retriable = error;
                    }
                }
            }
            if (remaining.Count > 0)
            {
                foreach (var topic in remaining.Keys.Select(tp => tp.Topic).Distinct())
                {
                    await cluster.GetTopicAsync(topic, allowAutoCreate: false, forceRefresh: true, cancellationToken: ct).ConfigureAwait(false);
                }
                throw retriable ?? new KafkaException(ErrorCode.UnknownTopicOrPartition, $"no offsets returned for {remaining.Keys.First()}");
            }
            return true;
        }, static ex => ex.IsRetriable, cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static int LeaderOf(ClusterMetadata metadata, TopicPartition tp)
    {
        if (metadata.Topics.TryGetValue(tp.Topic, out var topic) && tp.Partition < topic.Partitions.Count && topic.Partitions[tp.Partition].Leader >= 0)
        {
            return topic.Partitions[tp.Partition].Leader;
        }
        throw new KafkaException(tp.Partition >= 0 && topic is not null && tp.Partition >= topic.Partitions.Count
            ? ErrorCode.UnknownTopicOrPartition : ErrorCode.LeaderNotAvailable, $"no leader known for {tp}");
    }
}
