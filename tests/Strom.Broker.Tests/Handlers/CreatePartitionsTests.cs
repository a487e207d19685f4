using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class CreatePartitionsTests
{
    private static CreatePartitionsRequest.CreatePartitionsTopic Grow(string name, int count, params int[][]? assignments) => new()
    {
        Name = name,
        Count = count,
        Assignments = assignments is null ? null : assignments.Select(b => new CreatePartitionsRequest.CreatePartitionsAssignment { BrokerIds = b.ToList() }).ToList(),
    };

    [Fact]
    public async Task Grows_at_v0_and_v3_and_the_count_survives_a_restart()
    {
        await using var broker = await StromBroker.StartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await CreateAsync(connection, Topic("grow"));
            var v0 = await connection.SendAsync<CreatePartitionsResponse>(new CreatePartitionsRequest { Topics = [Grow("grow", 3, null)], TimeoutMs = 1000 }, 0);
            Assert.Equal(("grow", (short)0), (v0.Results[0].Name, v0.Results[0].ErrorCode));
            Assert.Null(v0.Results[0].ErrorMessage);

            var v3 = await connection.SendAsync<CreatePartitionsResponse>(new CreatePartitionsRequest { Topics = [Grow("grow", 5, [1], [1])], TimeoutMs = 1000 }, 3);
            Assert.Equal(0, v3.Results[0].ErrorCode);
            Assert.Equal(5, (await MetadataAsync(connection, "grow")).Partitions.Count);
            var produced = await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("grow", 4, Core.Requests.Batch(2)), 7);
            Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);
        }
        await broker.RestartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            Assert.Equal(5, (await MetadataAsync(connection, "grow")).Partitions.Count);
        }
    }

    [Fact]
    public async Task Refuses_shrinking_bad_assignments_unknown_and_duplicate_topics()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("two", 2));
        await CreateAsync(connection, Topic("one"));
        async Task<CreatePartitionsResponse.CreatePartitionsTopicResult> Ask(CreatePartitionsRequest.CreatePartitionsTopic topic, bool validateOnly = false) =>
            Assert.Single((await connection.SendAsync<CreatePartitionsResponse>(new CreatePartitionsRequest { Topics = [topic], ValidateOnly = validateOnly }, 3)).Results);

        var shrink = await Ask(Grow("two", 1, null));
        Assert.Equal(Code(ErrorCode.InvalidPartitions), shrink.ErrorCode);
        Assert.Equal("The topic two currently has 2 partition(s); 1 would not be an increase.", shrink.ErrorMessage);
        Assert.Equal("Topic already has 2 partition(s).", (await Ask(Grow("two", 2, null))).ErrorMessage);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await Ask(Grow("missing", 4, null))).ErrorCode);
        var tooFew = await Ask(Grow("one", 3, [1]));
        Assert.Equal(Code(ErrorCode.InvalidReplicaAssignment), tooFew.ErrorCode);
        Assert.Equal("Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.", tooFew.ErrorMessage);
        Assert.Equal(Code(ErrorCode.InvalidReplicaAssignment), (await Ask(Grow("one", 2, [7]))).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidReplicaAssignment), (await Ask(Grow("one", 2, [1, 1]))).ErrorCode);
        Assert.Equal(0, (await Ask(Grow("one", 9, null), validateOnly: true)).ErrorCode);
        Assert.Single((await MetadataAsync(connection, "one")).Partitions);

        var dup = await connection.SendAsync<CreatePartitionsResponse>(new CreatePartitionsRequest { Topics = [Grow("one", 2, null), Grow("one", 3, null)] }, 1);
        var result = Assert.Single(dup.Results);
        Assert.Equal((Code(ErrorCode.InvalidRequest), "Duplicate topic name."), (result.ErrorCode, result.ErrorMessage));
        Assert.Single((await MetadataAsync(connection, "one")).Partitions);
    }
}
