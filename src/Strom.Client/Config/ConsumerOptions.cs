namespace Strom.Client.Config;

/// <summary>Kafka's isolation.level: whether to read records of open or aborted transactions.</summary>
public enum IsolationLevel : sbyte
{
    ReadUncommitted = 0,
    ReadCommitted = 1,
}

/// <summary>auto.offset.reset: where to start when there is no valid position.</summary>
public enum AutoOffsetReset
{
    Latest,
    Earliest,
    None,
}

/// <summary>Consumer settings by Kafka's keys; defaults are Kafka's.</summary>
public sealed record ConsumerOptions
{
    public ClientOptions Client { get; init; } = new();

    /// <summary><c>group.id</c>: the consumer group; needed to subscribe and commit (default: none).</summary>
    public string? GroupId { get; init; }

    /// <summary><c>group.instance.id</c>: makes this a static member (KIP-345); it keeps its partitions across restarts within session.timeout.ms (default: none).</summary>
    public string? GroupInstanceId { get; init; }

    /// <summary><c>session.timeout.ms</c>: the coordinator drops a member silent for this long (default: 45000).</summary>
    public int SessionTimeoutMs { get; init; } = 45_000;

    /// <summary><c>heartbeat.interval.ms</c>: how often to heartbeat, and so how soon a rebalance is noticed (default: 3000).</summary>
    public int HeartbeatIntervalMs { get; init; } = 3000;

    /// <summary><c>max.poll.interval.ms</c>: sent as the rebalance timeout, how long the group waits for members to rejoin (default: 300000).</summary>
    public int MaxPollIntervalMs { get; init; } = 300_000;

    /// <summary><c>partition.assignment.strategy</c>: assignor names in order of preference (default: range, cooperative-sticky, as Java's).</summary>
    public IReadOnlyList<string> PartitionAssignmentStrategy { get; init; } = ["range", "cooperative-sticky"];

    /// <summary><c>enable.auto.commit</c>: commit positions in the background and before partitions are revoked (default: true).</summary>
    public bool EnableAutoCommit { get; init; } = true;

    /// <summary><c>auto.commit.interval.ms</c> (default: 5000).</summary>
    public int AutoCommitIntervalMs { get; init; } = 5000;

    /// <summary><c>client.rack</c>: sent in the subscription for rack-aware assignors (default: none).</summary>
    public string? ClientRack { get; init; }

    /// <summary><c>fetch.min.bytes</c> (default: 1).</summary>
    public int FetchMinBytes { get; init; } = 1;

    /// <summary><c>fetch.max.wait.ms</c>: the broker's long-poll limit (default: 500).</summary>
    public int FetchMaxWaitMs { get; init; } = 500;

    /// <summary><c>fetch.max.bytes</c> (default: 52428800).</summary>
    public int FetchMaxBytes { get; init; } = 52_428_800;

    /// <summary><c>max.partition.fetch.bytes</c> (default: 1048576).</summary>
    public int MaxPartitionFetchBytes { get; init; } = 1_048_576;

    /// <summary><c>isolation.level</c>: read_uncommitted or read_committed (default: read_uncommitted).</summary>
    public IsolationLevel IsolationLevel { get; init; } = IsolationLevel.ReadUncommitted;

    /// <summary><c>auto.offset.reset</c>: latest, earliest or none (default: latest).</summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Latest;

    /// <summary><c>check.crcs</c>: verify each fetched batch's CRC-32C (default: true).</summary>
    public bool CheckCrcs { get; init; } = true;

    public static ConsumerOptions FromConfig(IReadOnlyDictionary<string, string> config)
    {
        var r = new ConfigReader(config);
        var d = new ConsumerOptions();
        return new ConsumerOptions
        {
            Client = ClientOptions.FromConfig(config),
            GroupId = r.String("group.id"),
            GroupInstanceId = r.String("group.instance.id") is { Length: > 0 } instance ? instance : null,
            SessionTimeoutMs = r.Int("session.timeout.ms", d.SessionTimeoutMs, 1),
            HeartbeatIntervalMs = r.Int("heartbeat.interval.ms", d.HeartbeatIntervalMs, 1),
            MaxPollIntervalMs = r.Int("max.poll.interval.ms", d.MaxPollIntervalMs, 1),
            PartitionAssignmentStrategy = r.String("partition.assignment.strategy") is { } strategy
                ? strategy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : d.PartitionAssignmentStrategy,
            EnableAutoCommit = r.Bool("enable.auto.commit", d.EnableAutoCommit),
            AutoCommitIntervalMs = r.Int("auto.commit.interval.ms", d.AutoCommitIntervalMs, 0),
            ClientRack = r.String("client.rack") is { Length: > 0 } rack ? rack : null,
            FetchMinBytes = r.Int("fetch.min.bytes", d.FetchMinBytes, 0),
            FetchMaxWaitMs = r.Int("fetch.max.wait.ms", d.FetchMaxWaitMs, 0),
            FetchMaxBytes = r.Int("fetch.max.bytes", d.FetchMaxBytes, 1),
            MaxPartitionFetchBytes = r.Int("max.partition.fetch.bytes", d.MaxPartitionFetchBytes, 1),
            IsolationLevel = r.Enum("isolation.level", d.IsolationLevel, t => t switch
            {
                "read_uncommitted" => IsolationLevel.ReadUncommitted,
                "read_committed" => IsolationLevel.ReadCommitted,
                _ => null,
            }),
            AutoOffsetReset = r.Enum("auto.offset.reset", d.AutoOffsetReset, t => t switch
            {
                "latest" => AutoOffsetReset.Latest,
                "earliest" => AutoOffsetReset.Earliest,
                "none" => AutoOffsetReset.None,
                _ => null,
            }),
            CheckCrcs = r.Bool("check.crcs", d.CheckCrcs),
        };
    }
}
