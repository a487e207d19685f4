using Strom.Broker.Options;
using Strom.Broker.Partitions;
using Strom.Protocol;

namespace Strom.Broker.Metadata;

/// <summary>Result of a topic operation: an error code and Kafka's message for it.</summary>
public readonly record struct TopicResult(ErrorCode Error, string? Message, TopicMetadata? Topic = null)
{
    public static TopicResult Ok(TopicMetadata? topic = null) => new(ErrorCode.None, null, topic);
}

/// <summary>
/// Creates, deletes, grows and reconfigures topics: validates like Kafka, records the change
/// in the registry, then opens or removes the partition logs.
/// </summary>
public sealed class TopicManager(BrokerConfig config, TopicRegistry registry, PartitionManager partitions)
{
    private readonly Lock _lock = new();

    public TopicRegistry Registry => registry;

    /// <summary>Opens the logs of every registered topic (at start).</summary>
    public void LoadAll()
    {
        foreach (var topic in registry.All)
        {
            partitions.Ensure(topic);
        }
    }

    /// <summary>
    /// Creates a topic. <paramref name="assignments"/> is a manual replica assignment (partition
    /// index, broker ids); with one, <paramref name="numPartitions"/> and
    /// <paramref name="replicationFactor"/> must be -1, as in Kafka.
    /// </summary>
    public TopicResult Create(string name, int numPartitions, int replicationFactor, IReadOnlyDictionary<string, string?> configs, bool validateOnly,
        IReadOnlyList<(int Partition, IReadOnlyList<int> Brokers)>? assignments = null)
    {
        if (TopicNames.Validate(name) is { } invalid)
        {
            return new TopicResult(ErrorCode.InvalidTopicException, invalid);
        }
        if (registry.TryGet(name, out _))
        {
            return new TopicResult(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
        }
        if (CollidesWith(name) is { } colliding)
        {
            return new TopicResult(ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {colliding}");
        }
        // Kafka's order: name, configs, then partitions and replication factor.
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        var nullConfigs = new List<string>();
        foreach (var (key, value) in configs)
        {
            if (value is null)
            {
                nullConfigs.Add(key);
            }
            else
            {
                overrides[key] = value;
            }
        }
        if (nullConfigs.Count > 0)
        {
            return new TopicResult(ErrorCode.InvalidConfig, $"Null value not supported for topic configs: {string.Join(",", nullConfigs)}");
        }
        foreach (var (key, value) in overrides)
        {
            if (ValidateTopicConfig(key, value) is { } error)
            {
                return new TopicResult(ErrorCode.InvalidConfig, error);
            }
        }
        if (assignments is { Count: > 0 })
        {
            if (CheckManualAssignment(assignments, numPartitions, replicationFactor) is { } assignmentError)
            {
                return assignmentError;
            }
            numPartitions = assignments.Count;
            replicationFactor = assignments[0].Brokers.Count;
        }
        else if (replicationFactor < -1 || replicationFactor == 0)
        {
            return new TopicResult(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        if (numPartitions < -1 || numPartitions == 0)
        {
            return new TopicResult(ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.");
        }
        if (numPartitions == -1)
        {
            numPartitions = config.NumPartitions;
        }
        if (replicationFactor == -1)
        {
            replicationFactor = config.DefaultReplicationFactor;
        }
        if (replicationFactor > 1)
        {
            return new TopicResult(ErrorCode.InvalidReplicationFactor,
                $"Unable to replicate the partition {replicationFactor} time(s): The target replication factor of {replicationFactor} cannot be reached because only 1 broker(s) are registered.");
        }
        lock (_lock)
        {
            if (registry.TryGet(name, out _))
            {
                return new TopicResult(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }
            if (CollidesWith(name) is { } other)
            {
                return new TopicResult(ErrorCode.InvalidTopicException,
                    $"Topic '{name}' collides with existing topic: {other}");
            }
            if (validateOnly)
            {
                return TopicResult.Ok(new TopicMetadata(name, Uuid.Zero, numPartitions, overrides));
            }
            registry.TryAdd(name, numPartitions, overrides, out var topic);
            try
            {
                partitions.Create(topic, from: 0);
            }
            catch (IOException ex)
            {
                registry.Remove(name);
                return StorageFailed(ex);
            }
            return TopicResult.Ok(topic);
        }
    }

    private static TopicResult StorageFailed(IOException ex) =>
        new(ErrorCode.KafkaStorageError, $"The partition logs could not be created: {ex.Message}");

    /// <summary>Auto-creation from Metadata: num.partitions, default replication, no overrides.</summary>
    public TopicResult AutoCreate(string name)
    {
        var result = Create(name, config.NumPartitions, config.DefaultReplicationFactor, new Dictionary<string, string?>(), validateOnly: false);
        return result.Error == ErrorCode.TopicAlreadyExists && registry.TryGet(name, out var existing) ? TopicResult.Ok(existing) : result;
    }

    public TopicResult Delete(string name)
    {
        if (!config.DeleteTopicEnable)
        {
            return new TopicResult(ErrorCode.TopicDeletionDisabled, "Topic deletion is disabled.");
        }
        lock (_lock)
        {
            if (!registry.TryGet(name, out var topic))
            {
                return new TopicResult(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            }
            registry.Remove(name);
            partitions.Delete(name);
            return TopicResult.Ok(topic);
        }
    }

    /// <summary>Grows a topic; <paramref name="assignments"/> holds the broker ids of each new partition.</summary>
    public TopicResult AddPartitions(string name, int newCount, bool validateOnly, IReadOnlyList<IReadOnlyList<int>>? assignments = null)
    {
        lock (_lock)
        {
            if (!registry.TryGet(name, out var topic))
            {
                return new TopicResult(ErrorCode.UnknownTopicOrPartition, null);
            }
            if (newCount < topic.PartitionCount)
            {
                return new TopicResult(ErrorCode.InvalidPartitions,
                    $"The topic {name} currently has {topic.PartitionCount} partition(s); {newCount} would not be an increase.");
            }
            if (newCount == topic.PartitionCount)
            {
                return new TopicResult(ErrorCode.InvalidPartitions, $"Topic already has {topic.PartitionCount} partition(s).");
            }
            if (assignments is not null)
            {
                var additional = newCount - topic.PartitionCount;
                if (assignments.Count != additional)
                {
                    return new TopicResult(ErrorCode.InvalidReplicaAssignment,
                        $"Attempted to add {additional} additional partition(s), but only {assignments.Count} assignment(s) were specified.");
                }
                foreach (var brokers in assignments)
                {
                    // Every existing partition has this node as its only replica.
                    if (CheckReplicas(brokers, 1) is { } error)
                    {
                        return new TopicResult(ErrorCode.InvalidReplicaAssignment, error);
                    }
                }
            }
            if (validateOnly)
            {
                return TopicResult.Ok(topic);
            }
            var grown = topic with { PartitionCount = newCount };
            registry.Update(grown);
            try
            {
                partitions.Create(grown, from: topic.PartitionCount);
            }
            catch (IOException ex)
            {
                registry.Update(topic);
                return StorageFailed(ex);
            }
            return TopicResult.Ok(grown);
        }
    }

    /// <summary>
    /// Replaces (AlterConfigs) or edits (IncrementalAlterConfigs) a topic's overrides.
    /// <paramref name="edit"/> receives the current overrides and returns the new set or an error.
    /// </summary>
    public TopicResult AlterConfigs(string name, Func<Dictionary<string, string>, (Dictionary<string, string>? Next, string? Error)> edit, bool validateOnly)
    {
        lock (_lock)
        {
            if (!registry.TryGet(name, out var topic))
            {
                return new TopicResult(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }
            var (next, error) = edit(new Dictionary<string, string>(topic.Configs, StringComparer.Ordinal));
            if (error is not null || next is null)
            {
                return new TopicResult(ErrorCode.InvalidConfig, error);
            }
            foreach (var (key, value) in next)
            {
                if (ValidateTopicConfig(key, value) is { } invalid)
                {
                    return new TopicResult(ErrorCode.InvalidConfig, invalid);
                }
            }
            if (validateOnly)
            {
                return TopicResult.Ok(topic);
            }
            var updated = topic with { Configs = next };
            registry.Update(updated);
            partitions.UpdateConfig(updated);
            return TopicResult.Ok(updated);
        }
    }

    public static string? ValidateTopicConfig(string key, string? value)
    {
        var def = ConfigCatalog.FindTopic(key);
        if (def is null)
        {
            return $"Unknown topic config name: {key}";
        }
        return value is null ? null : def.Validate(value);
    }

    private TopicResult? CheckManualAssignment(IReadOnlyList<(int Partition, IReadOnlyList<int> Brokers)> assignments, int numPartitions, int replicationFactor)
    {
        if (replicationFactor != -1)
        {
            return new TopicResult(ErrorCode.InvalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1.");
        }
        if (numPartitions != -1)
        {
            return new TopicResult(ErrorCode.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.");
        }
        var seen = new HashSet<int>();
        int? factor = null;
        foreach (var (partition, brokers) in assignments)
        {
            if (!seen.Add(partition))
            {
                return new TopicResult(ErrorCode.InvalidReplicaAssignment, $"Found multiple manual partition assignments for partition {partition}");
            }
            if (CheckReplicas(brokers, factor) is { } error)
            {
                return new TopicResult(ErrorCode.InvalidReplicaAssignment, error);
            }
            factor = brokers.Count;
        }
        for (var i = 0; i < assignments.Count; i++)
        {
            if (!seen.Contains(i))
            {
                return new TopicResult(ErrorCode.InvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence");
            }
        }
        return null;
    }

    /// <summary>One partition's replica list: non-empty, only registered nodes (this one), no repeats.</summary>
    private string? CheckReplicas(IReadOnlyList<int> brokers, int? replicationFactor)
    {
        if (brokers.Count == 0)
        {
            return "The manual partition assignment includes an empty replica list.";
        }
        var sorted = brokers.Order().ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (sorted[i] != config.NodeId)
            {
                return $"The manual partition assignment includes broker {sorted[i]}, but no such broker is registered.";
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                return $"The manual partition assignment includes the broker {sorted[i]} more than once.";
            }
        }
        if (replicationFactor is { } expected && sorted.Length != expected)
        {
            return $"The manual partition assignment includes a partition with {sorted.Length} replica(s), but this is not consistent with previous partitions, which have {expected} replica(s).";
        }
        return null;
    }

    /// <summary>Kafka refuses names that differ only by '.' versus '_' (they collide in metric names).</summary>
    private string? CollidesWith(string name)
    {
        if (!name.Contains('.') && !name.Contains('_'))
        {
            return null;
        }
        var normalized = name.Replace('.', '_');
        foreach (var t in registry.All)
        {
            if (t.Name != name && t.Name.Replace('.', '_') == normalized)
            {
                return t.Name;
            }
        }
        return null;
    }
}
