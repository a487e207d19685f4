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

    public TopicResult Create(string name, int numPartitions, int replicationFactor, IReadOnlyDictionary<string, string?> configs, bool validateOnly)
    {
        if (TopicNames.Validate(name) is { } invalid)
        {
            return new TopicResult(ErrorCode.InvalidTopicException, invalid);
        }
        if (numPartitions == -1)
        {
            numPartitions = config.NumPartitions;
        }
        if (replicationFactor == -1)
        {
            replicationFactor = config.DefaultReplicationFactor;
        }
        if (numPartitions <= 0)
        {
            return new TopicResult(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.");
        }
        if (replicationFactor <= 0)
        {
            return new TopicResult(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0.");
        }
        if (replicationFactor > 1)
        {
            return new TopicResult(ErrorCode.InvalidReplicationFactor,
                $"Unable to replicate the partition {replicationFactor} time(s): The target replication factor of {replicationFactor} cannot be reached because only 1 broker(s) are registered.");
        }
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configs)
        {
            if (ValidateTopicConfig(key, value) is { } error)
            {
                return new TopicResult(ErrorCode.InvalidConfig, error);
            }
            if (value is not null)
            {
                overrides[key] = value;
            }
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
            partitions.Ensure(topic);
            return TopicResult.Ok(topic);
        }
    }

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

    public TopicResult AddPartitions(string name, int newCount, bool validateOnly)
    {
        lock (_lock)
        {
            if (!registry.TryGet(name, out var topic))
            {
                return new TopicResult(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            }
            if (newCount < topic.PartitionCount)
            {
                return new TopicResult(ErrorCode.InvalidPartitions,
                    $"Topic currently has {topic.PartitionCount} partitions, which is higher than the requested {newCount}.");
            }
            if (newCount == topic.PartitionCount)
            {
                return new TopicResult(ErrorCode.InvalidPartitions, $"Topic already has {topic.PartitionCount} partitions.");
            }
            if (validateOnly)
            {
                return TopicResult.Ok(topic);
            }
            var grown = topic with { PartitionCount = newCount };
            registry.Update(grown);
            partitions.Ensure(grown);
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
                return new TopicResult(ErrorCode.UnknownTopicOrPartition, $"Topic {name} does not exist");
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
