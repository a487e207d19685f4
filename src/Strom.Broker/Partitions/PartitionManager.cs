using System.Collections.Concurrent;
using Strom.Broker.Metadata;
using Strom.Broker.Options;
using Strom.Storage;

namespace Strom.Broker.Partitions;

/// <summary>
/// The partitions this broker hosts, keyed by topic-partition, backed by the log manager.
/// </summary>
public sealed class PartitionManager(BrokerConfig config, LogManager logs, TimeProvider time)
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();

    public LogManager Logs => logs;

    public Partition? Get(string topic, int partition) =>
        _partitions.TryGetValue(new TopicPartition(topic, partition), out var p) ? p : null;

    public IEnumerable<Partition> All => _partitions.Values;

    /// <summary>Opens or creates the logs of every partition of the topic.</summary>
    public void Ensure(TopicMetadata topic)
    {
        var effective = new EffectiveTopicConfig(config, topic.Configs);
        var logConfig = ToLogConfig(effective);
        for (var i = 0; i < topic.PartitionCount; i++)
        {
            var tp = new TopicPartition(topic.Name, i);
            _partitions.GetOrAdd(tp, key => new Partition(key, topic.TopicId, logs.GetOrCreate(key, logConfig), effective, time));
        }
    }

    /// <summary>
    /// Creates the logs of partitions <paramref name="from"/> and up of a new or grown topic. When
    /// the disk or the process runs out (no file handles left, say) the logs it created are closed
    /// and deleted again before the exception goes on, so no half-made partition stays behind.
    /// </summary>
    public void Create(TopicMetadata topic, int from)
    {
        try
        {
            Ensure(topic);
        }
        catch (IOException)
        {
            for (var i = from; i < topic.PartitionCount; i++)
            {
                var tp = new TopicPartition(topic.Name, i);
                if (_partitions.TryRemove(tp, out var p))
                {
                    p.DataArrived.Notify();
                }
                logs.Delete(tp);
            }
            throw;
        }
    }

    /// <summary>Applies changed topic configs to its partitions.</summary>
    public void UpdateConfig(TopicMetadata topic)
    {
        var effective = new EffectiveTopicConfig(config, topic.Configs);
        var logConfig = ToLogConfig(effective);
        foreach (var p in _partitions.Values)
        {
            if (p.Id.Topic == topic.Name)
            {
                p.Config = effective;
                logs.Get(p.Id)?.UpdateConfig(logConfig);
            }
        }
    }

    public void Delete(string topic)
    {
        foreach (var key in _partitions.Keys)
        {
            if (key.Topic == topic && _partitions.TryRemove(key, out var p))
            {
                p.DataArrived.Notify();
            }
        }
        logs.Delete(topic);
    }

    public static LogConfig ToLogConfig(EffectiveTopicConfig c) => new()
    {
        SegmentBytes = c.GetInt("segment.bytes"),
        SegmentMs = c.GetLong("segment.ms"),
        RetentionMs = c.GetLong("retention.ms"),
        RetentionBytes = c.GetLong("retention.bytes"),
        IndexIntervalBytes = c.GetInt("index.interval.bytes"),
        SegmentIndexBytes = c.GetInt("segment.index.bytes"),
        FlushMessages = c.GetLong("flush.messages"),
        FlushMs = c.GetLong("flush.ms"),
        FileDeleteDelayMs = c.GetLong("file.delete.delay.ms"),
        Compact = c.Compact,
        Delete = c.Delete,
        DeleteRetentionMs = c.GetLong("delete.retention.ms"),
        MinCompactionLagMs = c.GetLong("min.compaction.lag.ms"),
        MaxCompactionLagMs = c.GetLong("max.compaction.lag.ms"),
        MinCleanableDirtyRatio = c.GetDouble("min.cleanable.dirty.ratio"),
    };
}
