using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Core;

public sealed class ListOffsetsTests
{
    private static ListOffsetsRequest Query(string topic, long timestamp) => new()
    {
        ReplicaId = -1,
        Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
    };

    [Fact]
    public async Task Earliest_latest_max_timestamp_and_by_timestamp()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await Requests.EnsureTopicAsync(connection, "lo");
        // Timestamps 1000..1004, then 2000..2002, then 1500 (out of order, smaller than the max).
        await connection.SendAsync<ProduceResponse>(Requests.Produce("lo", 0, Requests.Batch(5, firstTimestamp: 1000)), 7);
        await connection.SendAsync<ProduceResponse>(Requests.Produce("lo", 0, Requests.Batch(3, firstTimestamp: 2000)), 7);
        await connection.SendAsync<ProduceResponse>(Requests.Produce("lo", 0, Requests.Batch(1, firstTimestamp: 1500)), 7);

        async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> Ask(long ts, short version = 7) =>
            (await connection.SendAsync<ListOffsetsResponse>(Query("lo", ts), version)).Topics[0].Partitions[0];

        Assert.Equal(0, (await Ask(-2)).Offset);
        Assert.Equal(9, (await Ask(-1)).Offset);
        var max = await Ask(-3);
        Assert.Equal((7L, 2002L), (max.Offset, max.Timestamp));
        var at = await Ask(1003);
        Assert.Equal((3L, 1003L), (at.Offset, at.Timestamp));
        var between = await Ask(1005);
        Assert.Equal((5L, 2000L), (between.Offset, between.Timestamp));
        Assert.Equal(-1, (await Ask(5000)).Offset);
        Assert.Equal(9, (await Ask(-1, 1)).Offset);

        var v0 = (await connection.SendAsync<ListOffsetsResponse>(Query("lo", -1), 0)).Topics[0].Partitions[0];
        Assert.Equal([9L], v0.OldStyleOffsets);
    }

    [Fact]
    public async Task Unknown_partition_gets_an_error()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var response = await connection.SendAsync<ListOffsetsResponse>(Query("missing", -1), 5);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[0].Partitions[0].ErrorCode);
    }
}
