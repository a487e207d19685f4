namespace Strom.Storage;

/// <summary>
/// Per-topic log settings the storage layer acts on. Names and defaults are Kafka's topic
/// configs (the broker's <c>log.*</c> keys supply the defaults).
/// </summary>
public sealed record LogConfig
{
    /// <summary>segment.bytes: roll a new segment before the active one exceeds this (default: 1 GiB).</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary>segment.ms: roll when the active segment's first batch is older than this (default: 7 days).</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.ms: delete segments whose newest timestamp is older; -1 = unlimited (default: 7 days).</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.bytes: delete oldest segments while the log exceeds this; -1 = unlimited (default: -1).</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>index.interval.bytes: log bytes between sparse index entries (default: 4096).</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>segment.index.bytes: maximum size of an offset index; a full index rolls the segment (default: 10 MiB).</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>
    /// flush.messages: fsync after this many appended records (default: long.MaxValue, i.e. never on
    /// the append path; durability comes from replication and the OS page cache, segments are
    /// fsynced on roll and on close).
    /// </summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary>flush.ms: fsync when the last flush is older than this (default: long.MaxValue, never).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary>file.delete.delay.ms: how long a deleted segment's files linger as .deleted (default: 60000).</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary>cleanup.policy contains compact: the cleaner keeps the latest record per key (default: false).</summary>
    public bool Compact { get; init; }

    /// <summary>cleanup.policy contains delete: retention.ms and retention.bytes apply (default: true).</summary>
    public bool Delete { get; init; } = true;

    /// <summary>delete.retention.ms: how long compaction keeps a tombstone, from its timestamp (default: 1 day).</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>min.compaction.lag.ms: records younger than this stay uncompacted (default: 0).</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>max.compaction.lag.ms: a dirty record older than this forces cleaning regardless of the ratio (default: long.MaxValue).</summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>min.cleanable.dirty.ratio: clean when dirty bytes / cleanable bytes reach this (default: 0.5).</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    public static LogConfig Default { get; } = new();
}
