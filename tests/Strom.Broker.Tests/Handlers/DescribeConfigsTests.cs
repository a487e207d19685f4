using Strom.Broker.Options;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class DescribeConfigsTests
{
    private const sbyte TopicType = 2;
    private const sbyte BrokerType = 4;
    private const sbyte BrokerLoggerType = 8;

    [Fact]
    public async Task Topic_lists_every_config_with_source_synonyms_and_type()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["message.max.bytes"] = "2000000" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("t", 1, 1, ("retention.ms", "1000")));

        var v4 = await DescribeAsync(connection, TopicType, "t", 4, synonyms: true);
        Assert.Equal((0, TopicType, "t"), ((int)v4.ErrorCode, v4.ResourceType, v4.ResourceName));
        Assert.Equal(ConfigCatalog.Topic.Count, v4.Configs.Count);
        var configs = v4.Configs.ToDictionary(c => c.Name);

        var retention = configs["retention.ms"];
        Assert.Equal(("1000", (sbyte)ConfigSource.DynamicTopicConfig, false, false), (retention.Value, retention.ConfigSource, retention.ReadOnly, retention.IsSensitive));
        Assert.Equal((sbyte)ConfigType.Long, retention.ConfigType);
        Assert.Null(retention.Documentation);
        Assert.Equal(("retention.ms", "1000", (sbyte)ConfigSource.DynamicTopicConfig), (retention.Synonyms[0].Name, retention.Synonyms[0].Value, retention.Synonyms[0].Source));

        var maxBytes = configs["max.message.bytes"];
        Assert.Equal(("2000000", (sbyte)ConfigSource.StaticBrokerConfig), (maxBytes.Value, maxBytes.ConfigSource));
        Assert.Equal(
            [("message.max.bytes", "2000000", (sbyte)ConfigSource.StaticBrokerConfig), ("message.max.bytes", "1048588", (sbyte)ConfigSource.DefaultConfig)],
            maxBytes.Synonyms.Select(s => (s.Name, s.Value, s.Source)));

        var policy = configs["cleanup.policy"];
        Assert.Equal(("delete", (sbyte)ConfigSource.DefaultConfig, (sbyte)ConfigType.List), (policy.Value, policy.ConfigSource, policy.ConfigType));
        Assert.Equal([("log.cleanup.policy", "delete", (sbyte)ConfigSource.DefaultConfig)], policy.Synonyms.Select(s => (s.Name, s.Value, s.Source)));

        var withoutSynonyms = await DescribeAsync(connection, TopicType, "t", 1);
        Assert.All(withoutSynonyms.Configs, c => Assert.Empty(c.Synonyms));
        Assert.Equal((sbyte)ConfigSource.DynamicTopicConfig, withoutSynonyms.Configs.Single(c => c.Name == "retention.ms").ConfigSource);
    }

    [Fact]
    public async Task V0_marks_defaults_and_filters_by_key()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("t", 1, 1, ("segment.ms", "5000")));
        var v0 = await DescribeAsync(connection, TopicType, "t", 0, false, "segment.ms", "segment.bytes", "no.such.key");
        var byName = v0.Configs.ToDictionary(c => c.Name);
        Assert.Equal(2, byName.Count);
        Assert.Equal(("5000", false), (byName["segment.ms"].Value, byName["segment.ms"].IsDefault));
        Assert.Equal(("1073741824", true), (byName["segment.bytes"].Value, byName["segment.bytes"].IsDefault));
    }

    [Fact]
    public async Task Unknown_and_invalid_topics_fail()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var unknown = await DescribeAsync(connection, TopicType, "missing");
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), unknown.ErrorCode);
        Assert.Empty(unknown.Configs);
        Assert.Equal(Code(ErrorCode.InvalidTopicException), (await DescribeAsync(connection, TopicType, "no good")).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await DescribeAsync(connection, 99, "x")).ErrorCode);
    }

    [Fact]
    public async Task Broker_resource_is_this_node_or_the_empty_name()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["log.retention.ms"] = "60000" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var node = await DescribeAsync(connection, BrokerType, "1", 3, synonyms: true);
        Assert.Equal(0, node.ErrorCode);
        var configs = node.Configs.ToDictionary(c => c.Name);
        Assert.True(configs.Count >= ConfigCatalog.Broker.Count);
        Assert.Equal(("60000", (sbyte)ConfigSource.StaticBrokerConfig), (configs["log.retention.ms"].Value, configs["log.retention.ms"].ConfigSource));
        Assert.Equal(
            [("log.retention.ms", "60000", (sbyte)ConfigSource.StaticBrokerConfig), ("log.retention.hours", "168", (sbyte)ConfigSource.DefaultConfig)],
            configs["log.retention.ms"].Synonyms.Select(s => (s.Name, s.Value, s.Source)));
        Assert.Equal(("1", (sbyte)ConfigSource.DefaultConfig, false), (configs["num.partitions"].Value, configs["num.partitions"].ConfigSource, configs["num.partitions"].ReadOnly));
        Assert.True(configs["listeners"].ReadOnly);
        Assert.Equal((sbyte)ConfigSource.StaticBrokerConfig, configs["log.dirs"].ConfigSource);
        Assert.Equal((sbyte)ConfigType.Boolean, configs["auto.create.topics.enable"].ConfigType);

        // The topic's retention follows the broker's log.retention.ms.
        await CreateAsync(connection, Topic("t"));
        var retention = await ConfigAsync(connection, "t", "retention.ms");
        Assert.Equal(("60000", (sbyte)ConfigSource.StaticBrokerConfig), (retention.Value, retention.ConfigSource));

        var cluster = await DescribeAsync(connection, BrokerType, "");
        Assert.Equal(0, cluster.ErrorCode);
        Assert.Empty(cluster.Configs);
        var other = await DescribeAsync(connection, BrokerType, "2");
        Assert.Equal((Code(ErrorCode.InvalidRequest), "Unexpected broker id, expected 1 or empty string, but received 2"), (other.ErrorCode, other.ErrorMessage));
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await DescribeAsync(connection, BrokerType, "one")).ErrorCode);

        Assert.Equal(0, (await DescribeAsync(connection, BrokerLoggerType, "1")).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await DescribeAsync(connection, BrokerLoggerType, "")).ErrorCode);
    }
}
