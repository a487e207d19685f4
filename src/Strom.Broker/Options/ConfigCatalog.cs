namespace Strom.Broker.Options;

/// <summary>
/// Every config key the broker knows, with Kafka's names and defaults: one place to find
/// a key and its default. Topic configs name the broker key their default comes from.
/// </summary>
public static class ConfigCatalog
{
    private const string LongMax = "9223372036854775807";
    private static readonly string[] CleanupPolicies = ["delete", "compact"];
    private static readonly string[] CompressionTypes = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];
    private static readonly string[] TimestampTypes = ["CreateTime", "LogAppendTime"];
    private static readonly string[] SslClientAuthValues = ["none", "requested", "required"];

    /// <summary>Topic-level configs (DescribeConfigs resource type TOPIC).</summary>
    public static readonly IReadOnlyList<ConfigDefinition> Topic =
    [
        new("cleanup.policy", ConfigType.List, "delete", "log.cleanup.policy", ValidValues: CleanupPolicies),
        new("compression.type", ConfigType.String, "producer", "compression.type", ValidValues: CompressionTypes),
        new("compression.gzip.level", ConfigType.Int, "-1", "compression.gzip.level", Min: -1, Max: 9),
        new("compression.lz4.level", ConfigType.Int, "9", "compression.lz4.level", Min: 1, Max: 17),
        new("compression.zstd.level", ConfigType.Int, "3", "compression.zstd.level", Min: -131072, Max: 22),
        new("delete.retention.ms", ConfigType.Long, "86400000", "log.cleaner.delete.retention.ms", Min: 0),
        new("file.delete.delay.ms", ConfigType.Long, "60000", "log.segment.delete.delay.ms", Min: 0),
        new("flush.messages", ConfigType.Long, LongMax, "log.flush.interval.messages", Min: 1),
        new("flush.ms", ConfigType.Long, LongMax, "log.flush.interval.ms", Min: 0),
        new("follower.replication.throttled.replicas", ConfigType.List, ""),
        new("index.interval.bytes", ConfigType.Int, "4096", "log.index.interval.bytes", Min: 0),
        new("leader.replication.throttled.replicas", ConfigType.List, ""),
        new("local.retention.bytes", ConfigType.Long, "-2", "log.local.retention.bytes", Min: -2),
        new("local.retention.ms", ConfigType.Long, "-2", "log.local.retention.ms", Min: -2),
        new("max.compaction.lag.ms", ConfigType.Long, LongMax, "log.cleaner.max.compaction.lag.ms", Min: 1),
        new("max.message.bytes", ConfigType.Int, "1048588", "message.max.bytes", Min: 0),
        new("message.timestamp.after.max.ms", ConfigType.Long, LongMax, "log.message.timestamp.after.max.ms", Min: 0),
        new("message.timestamp.before.max.ms", ConfigType.Long, LongMax, "log.message.timestamp.before.max.ms", Min: 0),
        new("message.timestamp.type", ConfigType.String, "CreateTime", "log.message.timestamp.type", ValidValues: TimestampTypes),
        new("min.cleanable.dirty.ratio", ConfigType.Double, "0.5", "log.cleaner.min.cleanable.ratio", Min: 0, Max: 1),
        new("min.compaction.lag.ms", ConfigType.Long, "0", "log.cleaner.min.compaction.lag.ms", Min: 0),
        new("min.insync.replicas", ConfigType.Int, "1", "min.insync.replicas", Min: 1),
        new("preallocate", ConfigType.Boolean, "false", "log.preallocate"),
        new("remote.storage.enable", ConfigType.Boolean, "false"),
        new("retention.bytes", ConfigType.Long, "-1", "log.retention.bytes"),
        new("retention.ms", ConfigType.Long, "604800000", "log.retention.ms", Min: -1),
        new("segment.bytes", ConfigType.Int, "1073741824", "log.segment.bytes", Min: 14),
        new("segment.index.bytes", ConfigType.Int, "10485760", "log.index.size.max.bytes", Min: 4),
        new("segment.jitter.ms", ConfigType.Long, "0", "log.roll.jitter.ms", Min: 0),
        new("segment.ms", ConfigType.Long, "604800000", "log.roll.ms", Min: 1),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", "unclean.leader.election.enable"),
    ];

    /// <summary>Broker-level configs (DescribeConfigs resource type BROKER), Kafka's defaults.</summary>
    public static readonly IReadOnlyList<ConfigDefinition> Broker =
    [
        new("node.id", ConfigType.Int, "1", ReadOnly: true),
        new("broker.id", ConfigType.Int, "1", ReadOnly: true),
        new("process.roles", ConfigType.List, "broker,controller", ReadOnly: true),
        new("cluster.id", ConfigType.String, null, ReadOnly: true),
        new("listeners", ConfigType.String, "PLAINTEXT://127.0.0.1:9092", ReadOnly: true),
        new("advertised.listeners", ConfigType.String, null, ReadOnly: true),
        new("listener.security.protocol.map", ConfigType.String, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", ReadOnly: true),
        new("log.dirs", ConfigType.String, "data", ReadOnly: true),
        new("num.partitions", ConfigType.Int, "1", Min: 1),
        new("default.replication.factor", ConfigType.Int, "1", Min: 1),
        new("auto.create.topics.enable", ConfigType.Boolean, "true"),
        new("delete.topic.enable", ConfigType.Boolean, "true"),
        new("message.max.bytes", ConfigType.Int, "1048588", Min: 0),
        new("socket.request.max.bytes", ConfigType.Int, "104857600", Min: 1, ReadOnly: true),
        new("socket.send.buffer.bytes", ConfigType.Int, "102400", ReadOnly: true),
        new("socket.receive.buffer.bytes", ConfigType.Int, "102400", ReadOnly: true),
        new("connections.max.idle.ms", ConfigType.Long, "600000", ReadOnly: true),
        new("log.cleanup.policy", ConfigType.List, "delete", ValidValues: CleanupPolicies),
        new("compression.type", ConfigType.String, "producer", ValidValues: CompressionTypes),
        new("compression.gzip.level", ConfigType.Int, "-1", Min: -1, Max: 9),
        new("compression.lz4.level", ConfigType.Int, "9", Min: 1, Max: 17),
        new("compression.zstd.level", ConfigType.Int, "3", Min: -131072, Max: 22),
        new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", Min: 0),
        new("log.segment.delete.delay.ms", ConfigType.Long, "60000", Min: 0),
        new("log.flush.interval.messages", ConfigType.Long, LongMax, Min: 1),
        new("log.flush.interval.ms", ConfigType.Long, null),
        new("log.flush.scheduler.interval.ms", ConfigType.Long, LongMax),
        new("log.index.interval.bytes", ConfigType.Int, "4096", Min: 0),
        new("log.local.retention.bytes", ConfigType.Long, "-2", Min: -2),
        new("log.local.retention.ms", ConfigType.Long, "-2", Min: -2),
        new("log.cleaner.max.compaction.lag.ms", ConfigType.Long, LongMax, Min: 1),
        new("log.message.timestamp.after.max.ms", ConfigType.Long, LongMax, Min: 0),
        new("log.message.timestamp.before.max.ms", ConfigType.Long, LongMax, Min: 0),
        new("log.message.timestamp.type", ConfigType.String, "CreateTime", ValidValues: TimestampTypes),
        new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", Min: 0, Max: 1),
        new("log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", Min: 0),
        new("log.cleaner.enable", ConfigType.Boolean, "true", ReadOnly: true),
        new("log.cleaner.backoff.ms", ConfigType.Long, "15000", Min: 0, ReadOnly: true),
        new("producer.id.expiration.ms", ConfigType.Int, "86400000", Min: 1),
        new("producer.id.expiration.check.interval.ms", ConfigType.Int, "600000", Min: 1, ReadOnly: true),
        new("min.insync.replicas", ConfigType.Int, "1", Min: 1),
        new("log.preallocate", ConfigType.Boolean, "false"),
        new("log.retention.bytes", ConfigType.Long, "-1"),
        new("log.retention.ms", ConfigType.Long, null),
        new("log.retention.minutes", ConfigType.Int, null),
        new("log.retention.hours", ConfigType.Int, "168"),
        new("log.retention.check.interval.ms", ConfigType.Long, "300000", Min: 1),
        new("log.segment.bytes", ConfigType.Int, "1073741824", Min: 14),
        new("log.index.size.max.bytes", ConfigType.Int, "10485760", Min: 4),
        new("log.roll.jitter.ms", ConfigType.Long, null),
        new("log.roll.ms", ConfigType.Long, null),
        new("log.roll.hours", ConfigType.Int, "168", Min: 1),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false"),
        new("offsets.topic.num.partitions", ConfigType.Int, "50", Min: 1, ReadOnly: true),
        new("offsets.topic.replication.factor", ConfigType.Short, "1", Min: 1, ReadOnly: true),
        new("offsets.retention.minutes", ConfigType.Int, "10080", Min: 1),
        new("transaction.state.log.num.partitions", ConfigType.Int, "50", Min: 1, ReadOnly: true),
        new("group.initial.rebalance.delay.ms", ConfigType.Int, "3000", Min: 0),
        new("group.min.session.timeout.ms", ConfigType.Int, "6000"),
        new("group.max.session.timeout.ms", ConfigType.Int, "1800000"),
        new("group.max.size", ConfigType.Int, "2147483647", Min: 1),
        new("offsets.topic.segment.bytes", ConfigType.Int, "104857600", Min: 1, ReadOnly: true),
        new("offsets.retention.check.interval.ms", ConfigType.Long, "600000", Min: 1),
        new("offset.metadata.max.bytes", ConfigType.Int, "4096"),
        new("fetch.max.bytes", ConfigType.Int, "57671680", Min: 0),
        new("max.incremental.fetch.session.cache.slots", ConfigType.Int, "1000", Min: 0),
        new("num.network.threads", ConfigType.Int, "3"),
        new("num.io.threads", ConfigType.Int, "8"),
        // Security (each may be set per listener as listener.name.<name>.<key>).
        new("sasl.enabled.mechanisms", ConfigType.List, "GSSAPI", ReadOnly: true),
        new("sasl.jaas.config", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.keystore.type", ConfigType.String, "JKS", ReadOnly: true),
        new("ssl.keystore.location", ConfigType.String, null, ReadOnly: true),
        new("ssl.keystore.password", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.key.password", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.keystore.certificate.chain", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.keystore.key", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.truststore.type", ConfigType.String, "JKS", ReadOnly: true),
        new("ssl.truststore.location", ConfigType.String, null, ReadOnly: true),
        new("ssl.truststore.password", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.truststore.certificates", ConfigType.Password, null, ReadOnly: true, Sensitive: true),
        new("ssl.client.auth", ConfigType.String, "none", ValidValues: SslClientAuthValues, ReadOnly: true),
        new("ssl.enabled.protocols", ConfigType.List, "TLSv1.2,TLSv1.3", ReadOnly: true),
    ];

    private static readonly Dictionary<string, ConfigDefinition> TopicByName = Topic.ToDictionary(d => d.Name);
    private static readonly Dictionary<string, ConfigDefinition> BrokerByName = Broker.ToDictionary(d => d.Name);

    public static ConfigDefinition? FindTopic(string name) => TopicByName.GetValueOrDefault(name);

    public static ConfigDefinition? FindBroker(string name) => BrokerByName.GetValueOrDefault(name);

    /// <summary>
    /// A per-listener override (listener.name.&lt;name&gt;.ssl.key.password, ...plain.sasl.jaas.config)
    /// is as secret as the key it overrides: DescribeConfigs must not show it.
    /// </summary>
    public static bool IsSensitiveListenerKey(string name) =>
        name.StartsWith("listener.name.", StringComparison.Ordinal)
        && (name.EndsWith("sasl.jaas.config", StringComparison.Ordinal) || name.EndsWith("password", StringComparison.Ordinal)
            || name.EndsWith("ssl.keystore.key", StringComparison.Ordinal) || name.EndsWith("ssl.keystore.certificate.chain", StringComparison.Ordinal)
            || name.EndsWith("ssl.truststore.certificates", StringComparison.Ordinal));
}
