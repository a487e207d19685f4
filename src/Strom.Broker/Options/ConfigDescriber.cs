namespace Strom.Broker.Options;

/// <summary>One place a config's value can come from, most specific first (DescribeConfigs v1+ synonyms).</summary>
public readonly record struct ConfigSynonym(string Name, string? Value, ConfigSource Source);

/// <summary>A config as DescribeConfigs reports it.</summary>
public sealed record DescribedConfig(
    string Name,
    string? Value,
    ConfigSource Source,
    bool ReadOnly,
    bool Sensitive,
    ConfigType Type,
    IReadOnlyList<ConfigSynonym> Synonyms);

/// <summary>
/// Builds DescribeConfigs entries the way Kafka's broker does. A topic config's synonyms are
/// its override (if any), then the broker keys that supply its default: set ones
/// (STATIC_BROKER_CONFIG) before built-in defaults (DEFAULT_CONFIG), each group in Kafka's
/// order (log.retention.ms, .minutes, .hours), starting at the topic config's own broker key.
/// The source is that of the first synonym, DEFAULT_CONFIG when there is none. Kafka's quirk
/// follows from this and is kept: with only log.retention.hours set, retention.ms reports
/// DEFAULT_CONFIG and no synonyms, because the list starts at log.retention.ms.
/// </summary>
public static class ConfigDescriber
{
    private static readonly string[][] SynonymGroups =
    [
        ["log.roll.ms", "log.roll.hours"],
        ["log.roll.jitter.ms", "log.roll.jitter.hours"],
        ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
        ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
    ];

    /// <summary>The broker keys that share a meaning with <paramref name="brokerKey"/>, most precise first.</summary>
    public static IReadOnlyList<string> BrokerSynonymGroup(string brokerKey)
    {
        foreach (var group in SynonymGroups)
        {
            if (Array.IndexOf(group, brokerKey) >= 0)
            {
                return group;
            }
        }
        return [brokerKey];
    }

    /// <summary>Every topic config with the value that applies given the topic's overrides.</summary>
    public static IEnumerable<DescribedConfig> DescribeTopic(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var def in ConfigCatalog.Topic)
        {
            var overridden = overrides.TryGetValue(def.Name, out var own);
            var value = overridden ? own : broker.TopicDefault(def).Value;
            if (def.Sensitive)
            {
                value = null;
            }
            var synonyms = new List<ConfigSynonym>();
            if (overridden)
            {
                synonyms.Add(new ConfigSynonym(def.Name, value, ConfigSource.DynamicTopicConfig));
            }
            if (def.BrokerSynonym is { } brokerKey)
            {
                synonyms.AddRange(BrokerSynonyms(broker, brokerKey, def.Sensitive));
            }
            var source = synonyms.Count == 0 ? ConfigSource.DefaultConfig : synonyms[0].Source;
            yield return new DescribedConfig(def.Name, value, source, ReadOnly: false, def.Sensitive, def.Type, synonyms);
        }
    }

    /// <summary>
    /// Every broker config (and every key set explicitly, known or not) with its value. Read-only
    /// means Kafka cannot change it without a restart.
    /// </summary>
    public static IEnumerable<DescribedConfig> DescribeBroker(BrokerConfig broker)
    {
        var names = new SortedSet<string>(ConfigCatalog.Broker.Select(d => d.Name), StringComparer.Ordinal);
        names.UnionWith(broker.Explicit.Keys);
        foreach (var name in names)
        {
            var def = ConfigCatalog.FindBroker(name);
            var sensitive = def?.Sensitive ?? ConfigCatalog.IsSensitiveListenerKey(name);
            var value = sensitive ? null : broker.Explicit.TryGetValue(name, out var set) ? set : def?.Default;
            var synonyms = BrokerSynonyms(broker, name, sensitive);
            var source = synonyms.Count == 0 ? ConfigSource.DefaultConfig : synonyms[0].Source;
            yield return new DescribedConfig(name, value, source, def?.ReadOnly ?? true, sensitive, def?.Type ?? ConfigType.Unknown, synonyms);
        }
    }

    private static List<ConfigSynonym> BrokerSynonyms(BrokerConfig broker, string name, bool sensitive)
    {
        var group = BrokerSynonymGroup(name);
        var all = new List<ConfigSynonym>();
        foreach (var key in group)
        {
            if (broker.Explicit.TryGetValue(key, out var value))
            {
                all.Add(new ConfigSynonym(key, sensitive ? null : value, ConfigSource.StaticBrokerConfig));
            }
        }
        foreach (var key in group)
        {
            if (ConfigCatalog.FindBroker(key)?.Default is { } value)
            {
                all.Add(new ConfigSynonym(key, sensitive ? null : value, ConfigSource.DefaultConfig));
            }
        }
        var start = all.FindIndex(s => s.Name == name);
        return start < 0 ? [] : all[start..];
    }
}
