using System.Globalization;
using Strom.Broker.Options;

namespace Strom.Broker.Metadata;

/// <summary>
/// A topic's configuration as it applies: each key is the topic's override, else the broker's
/// synonym, else Kafka's default. Typed properties for what the request path reads.
/// </summary>
public sealed class EffectiveTopicConfig
{
    private readonly Dictionary<string, (string? Value, ConfigSource Source)> _values = new(StringComparer.Ordinal);

    public EffectiveTopicConfig(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var def in ConfigCatalog.Topic)
        {
            if (overrides.TryGetValue(def.Name, out var value))
            {
                _values[def.Name] = (value, ConfigSource.DynamicTopicConfig);
            }
            else
            {
                var (v, source, _) = broker.TopicDefault(def);
                _values[def.Name] = (v, source);
            }
        }
        MaxMessageBytes = GetInt("max.message.bytes");
        LogAppendTime = string.Equals(Get("message.timestamp.type"), "LogAppendTime", StringComparison.Ordinal);
        var policy = Get("cleanup.policy") ?? "delete";
        Compact = policy.Contains("compact", StringComparison.Ordinal);
        Delete = policy.Contains("delete", StringComparison.Ordinal);
        TimestampBeforeMaxMs = GetLong("message.timestamp.before.max.ms");
        TimestampAfterMaxMs = GetLong("message.timestamp.after.max.ms");
        MinInsyncReplicas = GetInt("min.insync.replicas");
        CompressionType = Get("compression.type") ?? "producer";
    }

    public int MaxMessageBytes { get; }
    public bool LogAppendTime { get; }
    public bool Compact { get; }
    public bool Delete { get; }
    public long TimestampBeforeMaxMs { get; }
    public long TimestampAfterMaxMs { get; }
    public int MinInsyncReplicas { get; }
    public string CompressionType { get; }

    public string? Get(string key) => _values.TryGetValue(key, out var v) ? v.Value : null;

    public ConfigSource SourceOf(string key) => _values.TryGetValue(key, out var v) ? v.Source : ConfigSource.Unknown;

    public int GetInt(string key) => int.Parse(Get(key) ?? "0", CultureInfo.InvariantCulture);

    public long GetLong(string key) => long.Parse(Get(key) ?? "0", CultureInfo.InvariantCulture);

    public double GetDouble(string key) => double.Parse(Get(key) ?? "0", CultureInfo.InvariantCulture);
}
