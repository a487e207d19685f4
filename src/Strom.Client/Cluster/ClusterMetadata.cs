using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Cluster;

/// <summary>A broker as Metadata names it.</summary>
public sealed record BrokerNode(int Id, string Host, int Port, string? Rack)
{
    public override string ToString() => $"{Host}:{Port} (id: {Id}{(Rack is null ? "" : $", rack: {Rack}")})";
}

/// <summary>One partition: its leader (-1 when none), replicas and in-sync replicas.</summary>
public sealed record PartitionMetadata(int Partition, ErrorCode Error, int Leader, int LeaderEpoch,
    IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, IReadOnlyList<int> OfflineReplicas);

/// <summary>One topic, partitions in index order; <see cref="Error"/> set when the broker could not describe it.</summary>
public sealed record TopicMetadata(string Name, Uuid TopicId, bool IsInternal, ErrorCode Error, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>An immutable snapshot of one Metadata response, merged into the client's view of the cluster.</summary>
public sealed class ClusterMetadata
{
    public static readonly ClusterMetadata Empty = new(null, -1, new Dictionary<int, BrokerNode>(), new Dictionary<string, TopicMetadata>(StringComparer.Ordinal), DateTime.MinValue);

    public ClusterMetadata(string? clusterId, int controllerId, IReadOnlyDictionary<int, BrokerNode> brokers,
        IReadOnlyDictionary<string, TopicMetadata> topics, DateTime refreshedAt)
    {
        ClusterId = clusterId;
        ControllerId = controllerId;
        Brokers = brokers;
        Topics = topics;
        RefreshedAt = refreshedAt;
        TopicNames = topics.Values.Where(t => t.TopicId != Uuid.Zero).GroupBy(t => t.TopicId).ToDictionary(g => g.Key, g => g.First().Name);
    }

    public string? ClusterId { get; }
    public int ControllerId { get; }
    public IReadOnlyDictionary<int, BrokerNode> Brokers { get; }
    public IReadOnlyDictionary<string, TopicMetadata> Topics { get; }
    public IReadOnlyDictionary<Uuid, string> TopicNames { get; }
    public DateTime RefreshedAt { get; }

    /// <summary>Builds a snapshot from a response; topics named in the response replace those in <paramref name="previous"/>.</summary>
    public static ClusterMetadata From(MetadataResponse response, ClusterMetadata? previous, bool replaceAllTopics)
    {
        var brokers = response.Brokers.ToDictionary(b => b.NodeId, b => new BrokerNode(b.NodeId, b.Host, b.Port, b.Rack));
        var topics = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
        if (!replaceAllTopics && previous is not null)
        {
            foreach (var (name, topic) in previous.Topics)
            {
                topics[name] = topic;
            }
        }
        foreach (var t in response.Topics)
        {
            if (t.Name is null)
            {
                continue;
            }
            var partitions = t.Partitions
                .OrderBy(p => p.PartitionIndex)
                .Select(p => new PartitionMetadata(p.PartitionIndex, (ErrorCode)p.ErrorCode, p.LeaderId, p.LeaderEpoch,
                    p.ReplicaNodes, p.IsrNodes, p.OfflineReplicas ?? []))
                .ToArray();
            var topic = new TopicMetadata(t.Name, t.TopicId, t.IsInternal, (ErrorCode)t.ErrorCode, partitions);
            if (topic.Error == ErrorCode.UnknownTopicOrPartition || topic.Error == ErrorCode.InvalidTopicException)
            {
                topics.Remove(t.Name);
            }
            else
            {
                topics[t.Name] = topic;
            }
        }
        return new ClusterMetadata(response.ClusterId, response.ControllerId, brokers, topics, DateTime.UtcNow);
    }
}
