using System.Globalization;

namespace Strom.Broker.Options;

/// <summary>A listener from <c>listeners</c>: <c>NAME://host:port</c>.</summary>
public sealed record Listener(string Name, string Host, int Port)
{
    public static Listener Parse(string text)
    {
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0)
        {
            throw new ConfigException($"Invalid listener '{text}': expected NAME://host:port");
        }
        var name = text[..sep].Trim().ToUpperInvariant();
        var rest = text[(sep + 3)..].Trim();
        var colon = rest.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ConfigException($"Invalid listener '{text}': expected NAME://host:port");
        }
        var host = rest[..colon].Trim('[', ']');
        return new Listener(name, host, port);
    }

    public override string ToString() => $"{Name}://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}";
}

/// <summary>Raised for an invalid configuration; the CLI prints the message and exits.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// The broker's static configuration: Kafka's keys from a server.properties-style file and
/// <c>--set key=value</c> overrides, with every default from <see cref="ConfigCatalog"/>.
/// Immutable; typed accessors for the keys the broker reads on hot paths.
/// </summary>
public sealed class BrokerConfig
{
    private readonly Dictionary<string, string> _values;

    public BrokerConfig(IEnumerable<KeyValuePair<string, string>>? values = null)
    {
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values ?? [])
        {
            _values[key.Trim()] = value.Trim();
        }
        foreach (var (key, value) in _values)
        {
            var error = (ConfigCatalog.FindBroker(key) ?? ConfigCatalog.FindTopic(key))?.Validate(value);
            if (error is not null)
            {
                throw new ConfigException(error);
            }
        }

        NodeId = GetInt(_values.ContainsKey("node.id") ? "node.id" : "broker.id");
        Listeners = ParseListeners(Get("listeners") ?? "PLAINTEXT://127.0.0.1:9092");
        var advertised = Get("advertised.listeners");
        AdvertisedListeners = advertised is null ? Listeners : ParseListeners(advertised);
        LogDirs = (Get("log.dirs") ?? Get("log.dir") ?? "data")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFullPath).ToArray();
        NumPartitions = GetInt("num.partitions");
        DefaultReplicationFactor = GetInt("default.replication.factor");
        AutoCreateTopics = GetBool("auto.create.topics.enable");
        DeleteTopicEnable = GetBool("delete.topic.enable");
        MessageMaxBytes = GetInt("message.max.bytes");
        SocketRequestMaxBytes = GetInt("socket.request.max.bytes");
        RetentionCheckIntervalMs = GetLong("log.retention.check.interval.ms");
        FetchMaxBytes = GetInt("fetch.max.bytes");
        FetchSessionCacheSlots = GetInt("max.incremental.fetch.session.cache.slots");
        ClusterId = Get("cluster.id");
    }

    /// <summary>Node id (node.id, or broker.id; default: 1).</summary>
    public int NodeId { get; }
    /// <summary>Kafka listeners (listeners; default: PLAINTEXT://127.0.0.1:9092).</summary>
    public IReadOnlyList<Listener> Listeners { get; }
    /// <summary>What Metadata tells clients (advertised.listeners; default: the listeners).</summary>
    public IReadOnlyList<Listener> AdvertisedListeners { get; }
    /// <summary>Data directories (log.dirs; default: ./data).</summary>
    public IReadOnlyList<string> LogDirs { get; }
    /// <summary>Partitions of an auto-created topic (num.partitions; default: 1).</summary>
    public int NumPartitions { get; }
    /// <summary>default.replication.factor (default: 1).</summary>
    public int DefaultReplicationFactor { get; }
    /// <summary>Metadata and Produce create unknown topics (auto.create.topics.enable; default: true).</summary>
    public bool AutoCreateTopics { get; }
    /// <summary>delete.topic.enable (default: true).</summary>
    public bool DeleteTopicEnable { get; }
    /// <summary>Largest record batch a topic accepts unless it overrides max.message.bytes (message.max.bytes; default: 1048588).</summary>
    public int MessageMaxBytes { get; }
    /// <summary>Largest request frame accepted, checked before any allocation (socket.request.max.bytes; default: 104857600).</summary>
    public int SocketRequestMaxBytes { get; }
    /// <summary>log.retention.check.interval.ms (default: 300000).</summary>
    public long RetentionCheckIntervalMs { get; }
    /// <summary>Broker cap on a fetch response (fetch.max.bytes; default: 57671680).</summary>
    public int FetchMaxBytes { get; }
    /// <summary>max.incremental.fetch.session.cache.slots (default: 1000).</summary>
    public int FetchSessionCacheSlots { get; }
    /// <summary>cluster.id (default: generated once and kept in meta.properties).</summary>
    public string? ClusterId { get; }

    /// <summary>The keys set explicitly (file or --set).</summary>
    public IReadOnlyDictionary<string, string> Explicit => _values;

    /// <summary>The explicit value, else the catalog default (null when the key has none).</summary>
    public string? Get(string key) =>
        _values.TryGetValue(key, out var value) ? value : (ConfigCatalog.FindBroker(key)?.Default ?? ConfigCatalog.FindTopic(key)?.Default);

    public bool IsExplicit(string key) => _values.ContainsKey(key);

    public int GetInt(string key) => int.Parse(Get(key) ?? "0", CultureInfo.InvariantCulture);

    public long GetLong(string key) => long.Parse(Get(key) ?? "0", CultureInfo.InvariantCulture);

    public bool GetBool(string key) => string.Equals(Get(key), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The broker-level default of a topic config and where it comes from: an explicitly set
    /// broker synonym (log.retention.ms, then .minutes, then .hours) or the built-in default.
    /// </summary>
    public (string? Value, ConfigSource Source, string? SynonymName) TopicDefault(ConfigDefinition topicConfig)
    {
        switch (topicConfig.Name)
        {
            case "retention.ms":
                if (_values.TryGetValue("log.retention.ms", out var ms)) { return (ms, ConfigSource.StaticBrokerConfig, "log.retention.ms"); }
                if (_values.TryGetValue("log.retention.minutes", out var min)) { return (Scale(min, 60_000), ConfigSource.StaticBrokerConfig, "log.retention.minutes"); }
                if (_values.TryGetValue("log.retention.hours", out var h)) { return (Scale(h, 3_600_000), ConfigSource.StaticBrokerConfig, "log.retention.hours"); }
                break;
            case "segment.ms":
                if (_values.TryGetValue("log.roll.ms", out var rms)) { return (rms, ConfigSource.StaticBrokerConfig, "log.roll.ms"); }
                if (_values.TryGetValue("log.roll.hours", out var rh)) { return (Scale(rh, 3_600_000), ConfigSource.StaticBrokerConfig, "log.roll.hours"); }
                break;
            case "flush.ms":
                if (_values.TryGetValue("log.flush.interval.ms", out var fms)) { return (fms, ConfigSource.StaticBrokerConfig, "log.flush.interval.ms"); }
                break;
            default:
                if (topicConfig.BrokerSynonym is { } synonym && _values.TryGetValue(synonym, out var value))
                {
                    return (value, ConfigSource.StaticBrokerConfig, synonym);
                }
                break;
        }
        return (topicConfig.Default, ConfigSource.DefaultConfig, topicConfig.BrokerSynonym);
    }

    private static string Scale(string value, long factor) =>
        (long.Parse(value, CultureInfo.InvariantCulture) * factor).ToString(CultureInfo.InvariantCulture);

    private static Listener[] ParseListeners(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Listener.Parse).ToArray();

    /// <summary>
    /// Reads a server.properties-style file: <c>key=value</c> or <c>key: value</c> lines,
    /// <c>#</c>/<c>!</c> comments, trailing-backslash continuations.
    /// </summary>
    public static Dictionary<string, string> ReadPropertiesFile(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? pending = null;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (pending is not null)
            {
                line = pending + line;
                pending = null;
            }
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                pending = line[..^1];
                continue;
            }
            var sep = line.IndexOfAny(['=', ':']);
            if (sep <= 0)
            {
                throw new ConfigException($"{path}: cannot read line '{raw}': expected key=value");
            }
            result[line[..sep].Trim()] = line[(sep + 1)..].Trim();
        }
        return result;
    }
}
