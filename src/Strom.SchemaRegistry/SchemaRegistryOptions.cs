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
        };
    }
}
