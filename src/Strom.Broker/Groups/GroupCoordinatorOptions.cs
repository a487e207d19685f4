using Strom.Broker.Options;

namespace Strom.Broker.Groups;

/// <summary>The group coordinator's settings, Kafka's keys and defaults.</summary>
public sealed record GroupCoordinatorOptions
{
    /// <summary>Wait for more members before the first rebalance of an empty group (group.initial.rebalance.delay.ms; default: 3000).</summary>
    public int InitialRebalanceDelayMs { get; init; } = 3000;
    /// <summary>group.min.session.timeout.ms (default: 6000).</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;
    /// <summary>group.max.session.timeout.ms (default: 1800000).</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;
    /// <summary>Largest number of members in one group (group.max.size; default: 2147483647).</summary>
    public int MaxGroupSize { get; init; } = int.MaxValue;
    /// <summary>Partitions of __consumer_offsets when it is created (offsets.topic.num.partitions; default: 50).</summary>
    public int OffsetsTopicPartitions { get; init; } = 50;
    /// <summary>offsets.topic.segment.bytes (default: 104857600).</summary>
    public int OffsetsTopicSegmentBytes { get; init; } = 104_857_600;
    /// <summary>Offsets of an empty group are kept this long (offsets.retention.minutes; default: 10080 = 7 days).</summary>
    public long OffsetsRetentionMs { get; init; } = 10080L * 60_000;
    /// <summary>How often expired offsets are removed (offsets.retention.check.interval.ms; default: 600000).</summary>
    public long OffsetsRetentionCheckIntervalMs { get; init; } = 600_000;
    /// <summary>Longest committed metadata string (offset.metadata.max.bytes; default: 4096).</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;
    /// <summary>A member that joined without a member id must join again within this (Kafka's fixed 5 minutes).</summary>
    public int NewMemberJoinTimeoutMs { get; init; } = 300_000;

    public static GroupCoordinatorOptions From(BrokerConfig config) => new()
    {
        InitialRebalanceDelayMs = config.GetInt("group.initial.rebalance.delay.ms"),
        MinSessionTimeoutMs = config.GetInt("group.min.session.timeout.ms"),
        MaxSessionTimeoutMs = config.GetInt("group.max.session.timeout.ms"),
        MaxGroupSize = config.GetInt("group.max.size"),
        OffsetsTopicPartitions = config.GetInt("offsets.topic.num.partitions"),
        OffsetsTopicSegmentBytes = config.GetInt("offsets.topic.segment.bytes"),
        OffsetsRetentionMs = config.GetLong("offsets.retention.minutes") * 60_000,
        OffsetsRetentionCheckIntervalMs = config.GetLong("offsets.retention.check.interval.ms"),
        OffsetMetadataMaxBytes = config.GetInt("offset.metadata.max.bytes"),
    };
}
