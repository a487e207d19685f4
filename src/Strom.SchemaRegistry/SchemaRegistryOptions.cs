using Strom.Avro;

namespace Strom.SchemaRegistry;

/// <summary>Schema Registry settings; names follow Confluent's config keys.</summary>
public sealed record SchemaRegistryOptions
{
    /// <summary>schema.registry.listeners: where the REST API listens (default: http://127.0.0.1:8081).</summary>
    public string Listeners { get; init; } = "http://127.0.0.1:8081";

    /// <summary>schema.compatibility.level: the global level until one is set (default: BACKWARD).</summary>
    public CompatibilityLevel DefaultCompatibility { get; init; } = CompatibilityLevel.Backward;

    /// <summary>kafkastore.topic: the compacted topic holding registry state (default: _schemas).</summary>
    public string Topic { get; init; } = "_schemas";

    /// <summary>Largest schema record accepted, in bytes; Kafka's default message.max.bytes (default: 1048588).</summary>
    public int MaxSchemaRecordBytes { get; init; } = 1_048_588;

    /// <summary>leader.eligibility: whether this instance may be elected writer among instances sharing the topic (default: true).</summary>
    public bool LeaderEligibility { get; init; } = true;

    /// <summary>schema.registry.group.id: the Kafka group the instances elect their writer in (default: schema-registry).</summary>
    public string GroupId { get; init; } = "schema-registry";

    /// <summary>host.name: the host peers forward writes to (default: the host of the first listener, or 127.0.0.1 when that is a wildcard).</summary>
    public string? HostName { get; init; }

    /// <summary>leader.wait.ms: how long a write waits for a leader to be known (at startup, during re-election) before 50004 (default: 15000).</summary>
    public TimeSpan LeaderWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Reads the keys above from a config dictionary (`--set` values, a properties file); others are ignored.</summary>
    public static SchemaRegistryOptions FromConfig(IReadOnlyDictionary<string, string> config)
    {
        var defaults = new SchemaRegistryOptions();
        var level = defaults.DefaultCompatibility;
        if (config.TryGetValue("schema.compatibility.level", out var levelText) && !CompatibilityLevels.TryParse(levelText.Trim().ToUpperInvariant(), out level))
        {
            throw new ArgumentException($"schema.compatibility.level: '{levelText}' is not a compatibility level");
        }
        return new SchemaRegistryOptions
        {
            Listeners = config.GetValueOrDefault("schema.registry.listeners")?.Trim() ?? defaults.Listeners,
            DefaultCompatibility = level,
            Topic = config.GetValueOrDefault("kafkastore.topic")?.Trim() ?? defaults.Topic,
            LeaderEligibility = !config.TryGetValue("leader.eligibility", out var eligible) || !eligible.Trim().Equals("false", StringComparison.OrdinalIgnoreCase),
            GroupId = config.GetValueOrDefault("schema.registry.group.id")?.Trim() ?? defaults.GroupId,
            HostName = config.GetValueOrDefault("host.name")?.Trim(),
            LeaderWait = config.TryGetValue("leader.wait.ms", out var wait)
                ? TimeSpan.FromMilliseconds(int.TryParse(wait.Trim(), out var ms) && ms >= 0 ? ms : throw new ArgumentException($"leader.wait.ms: '{wait}' is not a non-negative integer"))
                : defaults.LeaderWait,
        };
    }
}
