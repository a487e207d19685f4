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

    /// <summary><c>group.id</c>: the consumer group (default: none; group membership is not in this cut).</summary>
    public string? GroupId { get; init; }

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
