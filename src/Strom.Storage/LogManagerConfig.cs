namespace Strom.Storage;

/// <summary>Broker-wide storage settings (Kafka's <c>log.*</c> broker keys).</summary>
public sealed record LogManagerConfig
{
    /// <summary>log.dirs: directories holding partition logs (default: /tmp/strom-logs).</summary>
    public IReadOnlyList<string> LogDirs { get; init; } = ["/tmp/strom-logs"];

    /// <summary>log.retention.check.interval.ms: how often retention runs (default: 300000).</summary>
    public long RetentionCheckIntervalMs { get; init; } = 300_000;

    /// <summary>log.flush.scheduler.interval.ms: how often logs are checked against flush.ms (default: long.MaxValue, never).</summary>
    public long FlushSchedulerIntervalMs { get; init; } = long.MaxValue;

    /// <summary>log.flush.offset.checkpoint.interval.ms: how often recovery points are checkpointed (default: 60000).</summary>
    public long FlushOffsetCheckpointIntervalMs { get; init; } = 60_000;

    /// <summary>log.flush.start.offset.checkpoint.interval.ms: how often log start offsets are checkpointed (default: 60000).</summary>
    public long FlushStartOffsetCheckpointIntervalMs { get; init; } = 60_000;

    /// <summary>log.cleaner.enable: run the compaction cleaner for cleanup.policy=compact logs (default: true).</summary>
    public bool CleanerEnabled { get; init; } = true;

    /// <summary>log.cleaner.backoff.ms: pause between cleaner passes over the logs (default: 15000).</summary>
    public long CleanerBackoffMs { get; init; } = 15_000;

    /// <summary>producer.id.expiration.ms: idle time after which a producer's state is dropped (default: 86400000).</summary>
    public long ProducerIdExpirationMs { get; init; } = 86_400_000;

    /// <summary>producer.id.expiration.check.interval.ms: how often expired producers are removed (default: 600000).</summary>
    public long ProducerIdExpirationCheckIntervalMs { get; init; } = 600_000;

    /// <summary>num.recovery.threads.per.data.dir: parallel log loading per directory (default: 1).</summary>
    public int NumRecoveryThreadsPerDataDir { get; init; } = 1;
}

/// <summary>DescribeLogDirs data for one log dir.</summary>
public sealed record LogDirDescription(string Path, long TotalBytes, long UsableBytes, IReadOnlyList<PartitionLogDescription> Partitions);

/// <summary>DescribeLogDirs data for one partition: size in bytes and lag of the log end behind the high watermark.</summary>
public readonly record struct PartitionLogDescription(TopicPartition TopicPartition, long Size, long OffsetLag, bool IsFuture);
