using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Core;

public sealed class FetchSessionTests
{
    [Fact]
    public async Task An_incremental_session_returns_only_partitions_that_changed()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "2" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "sess");
        await connection.SendAsync<ProduceResponse>(Requests.Produce("sess", 0, Requests.Batch(1)), 7);

        var full = Requests.Fetch("sess", topic.TopicId, 0, 0);
        full.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 1, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        full.SessionEpoch = 0;
        var first = await connection.SendAsync<FetchResponse>(full, 11);
        Assert.NotEqual(0, first.SessionId);
        Assert.Equal(2, first.Responses[0].Partitions.Count);

        // Epoch 1, nothing changed for partition 1; partition 0 moved to offset 1 (client includes it).
        var incremental = new FetchRequest
        {
            MaxBytes = 1 << 20,
            SessionId = first.SessionId,
            SessionEpoch = 1,
            Topics = [new FetchRequest.FetchTopic { Topic = "sess", Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 1, PartitionMaxBytes = 1 << 20 }] }],
        };
        var second = await connection.SendAsync<FetchResponse>(incremental, 11);
        Assert.Equal(0, second.ErrorCode);
        Assert.Empty(second.Responses);

        await connection.SendAsync<ProduceResponse>(Requests.Produce("sess", 1, Requests.Batch(2)), 7);
        incremental.SessionEpoch = 2;
        incremental.Topics = [];
        var third = await connection.SendAsync<FetchResponse>(incremental, 11);
        var changed = Assert.Single(Assert.Single(third.Responses).Partitions);
        Assert.Equal(1, changed.PartitionIndex);
        Assert.Equal(2, changed.HighWatermark);

        incremental.SessionEpoch = 7;
        var wrongEpoch = await connection.SendAsync<FetchResponse>(incremental, 11);
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, wrongEpoch.ErrorCode);

        incremental.SessionId = first.SessionId + 12345;
        incremental.SessionEpoch = 1;
        var unknown = await connection.SendAsync<FetchResponse>(incremental, 11);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, unknown.ErrorCode);
    }

    [Fact]
    public async Task Forgotten_partitions_leave_the_session()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "2" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "forget");
        var full = Requests.Fetch("forget", topic.TopicId, 0, 0);
        full.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 1, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        full.SessionEpoch = 0;
        var first = await connection.SendAsync<FetchResponse>(full, 11);

        var forget = new FetchRequest
        {
            MaxBytes = 1 << 20,
            SessionId = first.SessionId,
            SessionEpoch = 1,
            ForgottenTopicsData = [new FetchRequest.ForgottenTopic { Topic = "forget", Partitions = [1] }],
        };
        await connection.SendAsync<FetchResponse>(forget, 11);
        await connection.SendAsync<ProduceResponse>(Requests.Produce("forget", 1, Requests.Batch(1)), 7);
        var after = new FetchRequest { MaxBytes = 1 << 20, SessionId = first.SessionId, SessionEpoch = 2 };
        var response = await connection.SendAsync<FetchResponse>(after, 11);
        Assert.Empty(response.Responses);
    }
}
