using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class DeleteRecordsTests
{
    private static DeleteRecordsRequest Request(string topic, params (int Partition, long Offset)[] partitions) => new()
    {
        TimeoutMs = 1000,
        Topics =
        [
            new DeleteRecordsRequest.DeleteRecordsTopic
            {
                Name = topic,
                Partitions = partitions.Select(p => new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = p.Partition, Offset = p.Offset }).ToList(),
            },
        ],
    };

    private static async Task<DeleteRecordsResponse.DeleteRecordsPartitionResult> DeleteAsync(KafkaTestConnection connection, string topic, int partition, long offset, short version = 2) =>
        (await connection.SendAsync<DeleteRecordsResponse>(Request(topic, (partition, offset)), version)).Topics[0].Partitions[0];

    [Fact]
    public async Task Moves_the_log_start_at_v0_and_v2_and_keeps_it_after_restart()
    {
        await using var broker = await StromBroker.StartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await CreateAsync(connection, Topic("t"));
            await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("t", 0, Core.Requests.Batch(10)), 7);

            var v0 = await DeleteAsync(connection, "t", 0, 4, version: 0);
            Assert.Equal((0, 4L), ((int)v0.ErrorCode, v0.LowWatermark));
            Assert.Equal(4, await EarliestAsync(connection, "t"));
            var lower = await DeleteAsync(connection, "t", 0, 2);
            Assert.Equal((0, 4L), ((int)lower.ErrorCode, lower.LowWatermark));
            var all = await DeleteAsync(connection, "t", 0, -1);
            Assert.Equal((0, 10L), ((int)all.ErrorCode, all.LowWatermark));
        }
        await broker.RestartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            Assert.Equal(10, await EarliestAsync(connection, "t"));
        }
    }

    [Fact]
    public async Task Out_of_range_unknown_compacted_and_internal_fail()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("t"));
        await CreateAsync(connection, Topic("compacted", 1, 1, ("cleanup.policy", "compact")));
        await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("t", 0, Core.Requests.Batch(3)), 7);

        var above = await DeleteAsync(connection, "t", 0, 4);
        Assert.Equal((Code(ErrorCode.OffsetOutOfRange), -1L), (above.ErrorCode, above.LowWatermark));
        Assert.Equal(Code(ErrorCode.OffsetOutOfRange), (await DeleteAsync(connection, "t", 0, -5)).ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await DeleteAsync(connection, "t", 1, 0)).ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await DeleteAsync(connection, "missing", 0, 0)).ErrorCode);
        Assert.Equal(Code(ErrorCode.PolicyViolation), (await DeleteAsync(connection, "compacted", 0, 0)).ErrorCode);
        Assert.Equal(Code(ErrorCode.InvalidTopicException), (await DeleteAsync(connection, "__consumer_offsets", 0, 0)).ErrorCode);
        Assert.Equal(0, await EarliestAsync(connection, "t"));
    }
}
