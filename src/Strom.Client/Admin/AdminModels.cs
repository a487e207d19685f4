using Strom.Client.Cluster;

namespace Strom.Client.Admin;

/// <summary>A topic to create; -1 partitions or replication factor means the broker's default.</summary>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1, IReadOnlyDictionary<string, string>? Configs = null);

/// <summary>A topic as ListTopics names it.</summary>
public sealed record TopicListing(string Name, Strom.Protocol.Uuid TopicId, bool IsInternal, int PartitionCount);

/// <summary>Kafka's config resource types (values are the protocol's).</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
    ClientMetrics = 16,
    Group = 32,
}

/// <summary>Where a config value comes from (values are the protocol's).</summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
    ClientMetricsConfig = 7,
    GroupConfig = 8,
}

/// <summary>A thing that has configs: a topic by name, a broker by id.</summary>
public sealed record ConfigResource(ConfigResourceType Type, string Name)
{
    public static ConfigResource Topic(string name) => new(ConfigResourceType.Topic, name);

    public static ConfigResource Broker(int id) => new(ConfigResourceType.Broker, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>One config of a resource, with where its value comes from.</summary>
public sealed record ConfigEntry(string Name, string? Value, ConfigSource Source, bool IsDefault, bool IsReadOnly, bool IsSensitive);

/// <summary>IncrementalAlterConfigs operations (values are the protocol's).</summary>
public enum AlterConfigOpType : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

public sealed record AlterConfigOp(string Name, string? Value, AlterConfigOpType Op = AlterConfigOpType.Set);

/// <summary>The cluster as DescribeCluster (or Metadata, for older brokers) describes it.</summary>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerNode> Brokers);
