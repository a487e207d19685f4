using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class IncrementalAlterConfigsTests
{
    private const sbyte Set = 0;
    private const sbyte Delete = 1;
    private const sbyte Append = 2;
    private const sbyte Subtract = 3;

    private static async Task<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> AlterAsync(KafkaTestConnection connection, sbyte type, string name,
        short version = 1, bool validateOnly = false, params (string Key, sbyte Op, string? Value)[] changes)
    {
        var request = new IncrementalAlterConfigsRequest
        {
            ValidateOnly = validateOnly,
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = type,
                    ResourceName = name,
                    Configs = changes.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Key, ConfigOperation = c.Op, Value = c.Value }).ToList(),
                },
            ],
        };
        return Assert.Single((await connection.SendAsync<IncrementalAlterConfigsResponse>(request, version)).Responses);
    }

    [Fact]
    public async Task Set_delete_append_and_subtract_at_v0_and_v1()
    {
        await using var broker = await StromBroker.StartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await CreateAsync(connection, Topic("t", 1, 1, ("retention.ms", "1000"), ("segment.ms", "5000")));
            var v0 = await AlterAsync(connection, 2, "t", 0, false, ("retention.ms", Set, "2000"), ("segment.ms", Delete, null), ("cleanup.policy", Append, "compact"));
            Assert.Equal(0, v0.ErrorCode);
            Assert.Null(v0.ErrorMessage);
            Assert.Equal("2000", (await ConfigAsync(connection, "t", "retention.ms")).Value);
            Assert.Equal("604800000", (await ConfigAsync(connection, "t", "segment.ms")).Value);
            Assert.Equal("delete,compact", (await ConfigAsync(connection, "t", "cleanup.policy")).Value);

            Assert.Equal(0, (await AlterAsync(connection, 2, "t", 1, false, ("cleanup.policy", Subtract, "delete"))).ErrorCode);
            Assert.Equal("compact", (await ConfigAsync(connection, "t", "cleanup.policy")).Value);
        }
        await broker.RestartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            Assert.Equal("compact", (await ConfigAsync(connection, "t", "cleanup.policy")).Value);
            Assert.Equal("2000", (await ConfigAsync(connection, "t", "retention.ms")).Value);
        }
    }

    [Fact]
    public async Task Errors_and_validate_only_change_nothing()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("t", 1, 1, ("retention.ms", "1000")));

        var notList = await AlterAsync(connection, 2, "t", 1, false, ("retention.ms", Append, "5"));
        Assert.Equal((Code(ErrorCode.InvalidConfig), "Can't APPEND to key retention.ms because its type is not LIST."), (notList.ErrorCode, notList.ErrorMessage));
        Assert.Equal(Code(ErrorCode.InvalidConfig), (await AlterAsync(connection, 2, "t", 1, false, ("no.such.config", Set, "1"))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidConfig), (await AlterAsync(connection, 2, "t", 1, false, ("cleanup.policy", Append, "shred"))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, 2, "t", 1, false, ("retention.ms", Set, null))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, 2, "t", 1, false, ("retention.ms", 9, "1"))).ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await AlterAsync(connection, 2, "missing", 1, false, ("retention.ms", Set, "1"))).ErrorCode);
        Assert.Equal(0, (await AlterAsync(connection, 2, "t", 1, true, ("retention.ms", Delete, null))).ErrorCode);
        Assert.Equal("1000", (await ConfigAsync(connection, "t", "retention.ms")).Value);

        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, 4, "1", 1, false, ("log.retention.ms", Set, "1"))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidRequest), (await AlterAsync(connection, 8, "1", 1, false, ("root", Set, "DEBUG"))).ErrorCode);
    }

    [Fact]
    public async Task A_change_applies_to_the_partitions_at_once()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("small"));
        Assert.Equal(0, (await AlterAsync(connection, 2, "small", 1, false, ("max.message.bytes", Set, "100"))).ErrorCode);
        var produced = await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("small", 0, Core.Requests.Batch(20)), 7);
        Assert.Equal(Code(ErrorCode.MessageTooLarge), produced.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(0, (await AlterAsync(connection, 2, "small", 1, false, ("max.message.bytes", Delete, null))).ErrorCode);
        produced = await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("small", 0, Core.Requests.Batch(20)), 7);
        Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);
    }
}
