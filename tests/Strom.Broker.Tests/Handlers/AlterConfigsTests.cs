using Strom.Broker.Options;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class AlterConfigsTests
{
    private static AlterConfigsRequest.AlterConfigsResource Resource(sbyte type, string name, params (string Key, string? Value)[] configs) => new()
    {
        ResourceType = type,
        ResourceName = name,
        Configs = configs.Select(c => new AlterConfigsRequest.AlterableConfig { Name = c.Key, Value = c.Value }).ToList(),
    };

    private static async Task<AlterConfigsResponse.AlterConfigsResourceResponse> AlterAsync(KafkaTestConnection connection, AlterConfigsRequest.AlterConfigsResource resource,
        short version = 2, bool validateOnly = false) =>
        Assert.Single((await connection.SendAsync<AlterConfigsResponse>(new AlterConfigsRequest { Resources = [resource], ValidateOnly = validateOnly }, version)).Responses);

    [Fact]
    public async Task Replaces_the_override_set_at_v0_and_v2_and_keeps_it_after_restart()
    {
        await using var broker = await StromBroker.StartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await CreateAsync(connection, Topic("t", 1, 1, ("retention.ms", "1000")));
            var v0 = await AlterAsync(connection, Resource(2, "t", ("segment.ms", "5000"), ("cleanup.policy", "compact")), version: 0);
            Assert.Equal((0, (sbyte)2, "t"), ((int)v0.ErrorCode, v0.ResourceType, v0.ResourceName));
            Assert.Null(v0.ErrorMessage);
            Assert.Equal((sbyte)ConfigSource.DefaultConfig, (await ConfigAsync(connection, "t", "retention.ms")).ConfigSource);
            Assert.Equal("5000", (await ConfigAsync(connection, "t", "segment.ms")).Value);

            Assert.Equal(0, (await AlterAsync(connection, Resource(2, "t", ("segment.ms", "6000"), ("cleanup.policy", "compact")))).ErrorCode);
        }
        await broker.RestartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            Assert.Equal("6000", (await ConfigAsync(connection, "t", "segment.ms")).Value);
            Assert.Equal("compact", (await ConfigAsync(connection, "t", "cleanup.policy")).Value);
        }
    }

    [Fact]
    public async Task A_change_applies_to_the_partitions_at_once()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("small"));
        Assert.Equal(0, (await AlterAsync(connection, Resource(2, "small", ("max.message.bytes", "100")))).ErrorCode);
        var produced = await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("small", 0, Core.Requests.Batch(20)), 7);
        Assert.Equal(Code(ErrorCode.MessageTooLarge), produced.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Bad_changes_fail_and_change_nothing()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("t", 1, 1, ("retention.ms", "1000")));

        var unknownKey = await AlterAsync(connection, Resource(2, "t", ("no.such.config", "1")));
        Assert.Equal((Code(ErrorCode.InvalidConfig), "Unknown topic config name: no.such.config"), (unknownKey.ErrorCode, unknownKey.ErrorMessage));
        Assert.Equal(Code(ErrorCode.InvalidConfig), (await AlterAsync(connection, Resource(2, "t", ("retention.ms", "later")))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, Resource(2, "t", ("retention.ms", null)))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, Resource(2, "t", ("retention.ms", "1"), ("retention.ms", "2")))).ErrorCode);
        var missing = await AlterAsync(connection, Resource(2, "missing", ("retention.ms", "1")));
        Assert.Equal((Code(ErrorCode.UnknownTopicOrPartition), "The topic 'missing' does not exist."), (missing.ErrorCode, missing.ErrorMessage));
        Assert.Equal(0, (await AlterAsync(connection, Resource(2, "t", ("retention.ms", "2")), validateOnly: true)).ErrorCode);
        Assert.Equal("1000", (await ConfigAsync(connection, "t", "retention.ms")).Value);

        var twice = await connection.SendAsync<AlterConfigsResponse>(new AlterConfigsRequest { Resources = [Resource(2, "t", ("retention.ms", "5")), Resource(2, "t")] }, 1);
        Assert.All(twice.Responses, r => Assert.Equal(Code(ErrorCode.InvalidRequest), r.ErrorCode));
        Assert.Equal("1000", (await ConfigAsync(connection, "t", "retention.ms")).Value);
    }

    [Fact]
    public async Task Broker_configs_are_static()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var readOnly = await AlterAsync(connection, Resource(4, "1", ("listeners", "PLAINTEXT://:1")));
        Assert.Equal((Code(ErrorCode.InvalidRequest), "Cannot update these configs dynamically: Set(listeners)"), (readOnly.ErrorCode, readOnly.ErrorMessage));
        var dynamic = await AlterAsync(connection, Resource(4, "", ("log.retention.ms", "1000")));
        Assert.Equal(Code(ErrorCode.InvalidRequest), dynamic.ErrorCode);
        Assert.Contains("log.retention.ms", dynamic.ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, Resource(4, "7", ("log.retention.ms", "1000")))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, Resource(8, "1", ("root", "DEBUG")))).ErrorCode);
    }
}
