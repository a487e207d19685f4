using Strom.Broker.Options;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class CreateTopicsTests
{
    [Fact]
    public async Task Creates_at_v0_and_v7_with_effective_configs_that_survive_a_restart()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "2", ["message.max.bytes"] = "2000000" });
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var v0 = await CreateAsync(connection, Topic("old", 3), version: 0);
            Assert.Equal(0, v0.ErrorCode);

            var v7 = await CreateAsync(connection, Topic("new", -1, -1, ("retention.ms", "1000"), ("cleanup.policy", "compact")));
            Assert.Equal(0, v7.ErrorCode);
            Assert.Null(v7.ErrorMessage);
            Assert.NotEqual(Uuid.Zero, v7.TopicId);
            Assert.Equal(2, v7.NumPartitions);
            Assert.Equal(1, v7.ReplicationFactor);
            Assert.Equal(ConfigCatalog.Topic.Count, v7.Configs!.Count);
            var retention = v7.Configs.Single(c => c.Name == "retention.ms");
            Assert.Equal(("1000", (sbyte)ConfigSource.DynamicTopicConfig), (retention.Value, retention.ConfigSource));
            var maxBytes = v7.Configs.Single(c => c.Name == "max.message.bytes");
            Assert.Equal(("2000000", (sbyte)ConfigSource.StaticBrokerConfig), (maxBytes.Value, maxBytes.ConfigSource));
            var segment = v7.Configs.Single(c => c.Name == "segment.bytes");
            Assert.Equal(("1073741824", (sbyte)ConfigSource.DefaultConfig), (segment.Value, segment.ConfigSource));

            Assert.Equal(3, (await MetadataAsync(connection, "old")).Partitions.Count);
            Assert.Equal(v7.TopicId, (await MetadataAsync(connection, "new")).TopicId);
        }
        await broker.RestartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            Assert.Equal(3, (await MetadataAsync(connection, "old")).Partitions.Count);
            Assert.Equal("compact", (await ConfigAsync(connection, "new", "cleanup.policy")).Value);
        }
    }

    [Fact]
    public async Task Each_bad_topic_gets_kafkas_error()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        Assert.Equal(0, (await CreateAsync(connection, Topic("exists"))).ErrorCode);
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                Topic("bad/name"),
                Topic("exists"),
                Topic("rf3", 1, 3),
                Topic("zero", 0),
                Topic("rf0", 1, 0),
                Topic("unknown-config", 1, 1, ("no.such.config", "1")),
                Topic("bad-value", 1, 1, ("retention.ms", "soon")),
                Topic("null-value", 1, 1, ("retention.ms", null)),
                Topic("dup"),
                Topic("dup", 2),
                Topic("__cluster_metadata"),
            ],
        };
        var response = await connection.SendAsync<CreateTopicsResponse>(request, 7);
        var byName = response.Topics.ToDictionary(t => t.Name);
        Assert.Equal(10, byName.Count);
        Assert.Equal(Code(ErrorCode.InvalidTopicException), byName["bad/name"].ErrorCode);
        Assert.Equal(Code(ErrorCode.TopicAlreadyExists), byName["exists"].ErrorCode);
        Assert.Equal("Topic 'exists' already exists.", byName["exists"].ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidReplicationFactor), byName["rf3"].ErrorCode);
        Assert.Contains("only 1 broker(s) are registered", byName["rf3"].ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidPartitions), byName["zero"].ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidReplicationFactor), byName["rf0"].ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidConfig), byName["unknown-config"].ErrorCode);
        Assert.Equal("Unknown topic config name: no.such.config", byName["unknown-config"].ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidConfig), byName["bad-value"].ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidConfig), byName["null-value"].ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), byName["dup"].ErrorCode);
        Assert.Equal("Duplicate topic name.", byName["dup"].ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidRequest), byName["__cluster_metadata"].ErrorCode);
        Assert.All(byName.Values.Where(t => t.Name != "exists"), t => Assert.Equal((-1, (short)-1), (t.NumPartitions, t.ReplicationFactor)));
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await MetadataAsync(connection, "dup")).ErrorCode);
    }

    [Fact]
    public async Task Manual_assignments_must_name_this_node()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        CreateTopicsRequest.CreatableTopic Assigned(string name, int partitions, short rf, params int[][] replicas)
        {
            var topic = Topic(name, partitions, rf);
            topic.Assignments = replicas.Select((b, i) => new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = i, BrokerIds = b.ToList() }).ToList();
            return topic;
        }

        var ok = await CreateAsync(connection, Assigned("manual", -1, -1, [1], [1]), version: 4);
        Assert.Equal(0, ok.ErrorCode);
        Assert.Equal(2, (await MetadataAsync(connection, "manual")).Partitions.Count);

        var otherBroker = await CreateAsync(connection, Assigned("other", -1, -1, [2]));
        Assert.Equal(Code(ErrorCode.InvalidReplicaAssignment), otherBroker.ErrorCode);
        Assert.Equal("The manual partition assignment includes broker 2, but no such broker is registered.", otherBroker.ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidReplicaAssignment), (await CreateAsync(connection, Assigned("twice", -1, -1, [1, 1]))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidReplicaAssignment), (await CreateAsync(connection, Assigned("empty", -1, -1, Array.Empty<int>()))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await CreateAsync(connection, Assigned("counted", 2, -1, [1]))).ErrorCode);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var response = await connection.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [Topic("dry", 4)], validateOnly = true }, 1);
        Assert.Equal(0, Assert.Single(response.Topics).ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await MetadataAsync(connection, "dry")).ErrorCode);

        var bad = await connection.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [Topic("dry", 1, 2)], validateOnly = true }, 7);
        Assert.Equal(Code(ErrorCode.InvalidReplicationFactor), bad.Topics[0].ErrorCode);
    }
}
