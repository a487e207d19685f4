using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;
using Strom.Testing;

namespace Strom.Broker.Tests.Core;

public sealed class ProduceFetchTests
{
    [Theory]
    [InlineData((short)3, (short)4)]
    [InlineData((short)7, (short)11)]
    [InlineData((short)9, (short)12)]
    [InlineData((short)11, (short)17)]
    public async Task Produced_batches_come_back_whole_at_every_version(short produceVersion, short fetchVersion)
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "pf");

        var first = Requests.Batch(3);
        var second = Requests.Batch(2, compression: CompressionType.Gzip, keyPrefix: "z");
        var r1 = await connection.SendAsync<ProduceResponse>(Requests.Produce("pf", 0, first), produceVersion);
        var r2 = await connection.SendAsync<ProduceResponse>(Requests.Produce("pf", 0, second), produceVersion);
        Assert.Equal(0, r1.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(0, r1.Responses[0].PartitionResponses[0].BaseOffset);
        Assert.Equal(3, r2.Responses[0].PartitionResponses[0].BaseOffset);

        var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch("pf", topic.TopicId, 0, 0), fetchVersion);
        var data = fetch.Responses.Single().Partitions.Single();
        Assert.Equal(0, data.ErrorCode);
        Assert.Equal(5, data.HighWatermark);
        var records = RecordBatchReader.ReadAllRecords(data.Records!.Value);
        Assert.Equal([0L, 1, 2, 3, 4], records.Select(r => r.Offset));
        Assert.Equal(["k0", "k1", "k2", "z0", "z1"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span)));
        Assert.Equal(1_700_000_000_001, records[1].Timestamp);
    }

    [Fact]
    public async Task A_fetch_from_inside_a_batch_returns_the_batch_that_contains_the_offset()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "inside");
        await connection.SendAsync<ProduceResponse>(Requests.Produce("inside", 0, Requests.Batch(10)), 7);
        await connection.SendAsync<ProduceResponse>(Requests.Produce("inside", 0, Requests.Batch(10)), 7);

        var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch("inside", topic.TopicId, 0, 15), 11);
        var bytes = fetch.Responses[0].Partitions[0].Records!.Value;
        Assert.Equal(10, RecordBatchHeader.ReadBaseOffset(bytes.Span));
    }

    [Fact]
    public async Task Fetch_out_of_range_and_unknown_partitions_get_their_errors()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "errs");
        await connection.SendAsync<ProduceResponse>(Requests.Produce("errs", 0, Requests.Batch(1)), 7);

        var beyond = await connection.SendAsync<FetchResponse>(Requests.Fetch("errs", topic.TopicId, 0, 5), 11);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, beyond.Responses[0].Partitions[0].ErrorCode);
        var missing = await connection.SendAsync<FetchResponse>(Requests.Fetch("errs", topic.TopicId, 7, 0), 11);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, missing.Responses[0].Partitions[0].ErrorCode);
        var atEnd = await connection.SendAsync<FetchResponse>(Requests.Fetch("errs", topic.TopicId, 0, 1), 11);
        Assert.Equal(0, atEnd.Responses[0].Partitions[0].ErrorCode);
        Assert.Equal(0, atEnd.Responses[0].Partitions[0].Records!.Value.Length);
    }

    [Fact]
    public async Task A_long_poll_fetch_returns_when_data_arrives()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var consumer = await KafkaTestConnection.ConnectAsync(broker.Port);
        await using var producer = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(consumer, "poll");

        var pending = consumer.SendAsync<FetchResponse>(Requests.Fetch("poll", topic.TopicId, 0, 0, maxWaitMs: 30_000, minBytes: 1), 11);
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);
        await producer.SendAsync<ProduceResponse>(Requests.Produce("poll", 0, Requests.Batch(1)), 7);
        var completed = await Task.WhenAny(pending, Task.Delay(20_000));
        Assert.Same(pending, completed);
        Assert.Single(RecordBatchReader.ReadAllRecords((await pending).Responses[0].Partitions[0].Records!.Value));
    }

    [Fact]
    public async Task A_long_poll_without_data_waits_for_max_wait()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "idle");
        var started = DateTime.UtcNow;
        var response = await connection.SendAsync<FetchResponse>(Requests.Fetch("idle", topic.TopicId, 0, 0, maxWaitMs: 300, minBytes: 1), 11);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250));
        Assert.Equal(0, response.Responses[0].Partitions[0].Records!.Value.Length);
    }

    [Fact]
    public async Task Data_survives_a_restart()
    {
        await using var broker = await StromBroker.StartAsync();
        Uuid topicId;
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            topicId = (await Requests.EnsureTopicAsync(connection, "durable")).TopicId;
            await connection.SendAsync<ProduceResponse>(Requests.Produce("durable", 0, Requests.Batch(4)), 7);
        }
        await broker.RestartAsync();
        await using var again = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(again, "durable");
        Assert.Equal(topicId, topic.TopicId);
        var fetch = await again.SendAsync<FetchResponse>(Requests.Fetch("durable", topicId, 0, 0), 13);
        Assert.Equal(4, RecordBatchReader.ReadAllRecords(fetch.Responses[0].Partitions[0].Records!.Value).Count);
        var next = await again.SendAsync<ProduceResponse>(Requests.Produce("durable", 0, Requests.Batch(1)), 7);
        Assert.Equal(4, next.Responses[0].PartitionResponses[0].BaseOffset);
    }

    [Fact]
    public async Task Produce_to_an_unknown_topic_and_with_bad_acks_fails_per_partition()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var unknown = await connection.SendAsync<ProduceResponse>(Requests.Produce("nope", 0, Requests.Batch(1)), 7);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Responses[0].PartitionResponses[0].ErrorCode);
        await Requests.EnsureTopicAsync(connection, "acks");
        var badAcks = await connection.SendAsync<ProduceResponse>(Requests.Produce("acks", 0, Requests.Batch(1), acks: 2), 7);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, badAcks.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task LogAppendTime_topics_stamp_the_broker_time()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["log.message.timestamp.type"] = "LogAppendTime" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "lat");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var produce = await connection.SendAsync<ProduceResponse>(Requests.Produce("lat", 0, Requests.Batch(2, firstTimestamp: 1000)), 7);
        var appendTime = produce.Responses[0].PartitionResponses[0].LogAppendTimeMs;
        Assert.InRange(appendTime, before, before + 60_000);
        var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch("lat", topic.TopicId, 0, 0), 11);
        var records = RecordBatchReader.ReadAllRecords(fetch.Responses[0].Partitions[0].Records!.Value);
        Assert.All(records, r => Assert.Equal(appendTime, r.Timestamp));
    }
}

public sealed class PipeliningTests
{
    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_and_a_waiting_fetch_does_not_hold_back_earlier_answers()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "pipe");

        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await connection.WriteRequestAsync(Requests.Produce("pipe", 0, Requests.Batch(1)), 7));
        }
        var fetchId = await connection.WriteRequestAsync(Requests.Fetch("pipe", topic.TopicId, 0, 5, maxWaitMs: 20_000, minBytes: 1), 11);
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 5; i++)
        {
            var body = await connection.ReadResponseBodyAsync(Strom.Protocol.ApiKey.Produce, 7, ids[i], quick.Token);
            Assert.NotEmpty(body);
        }
        await using var other = await KafkaTestConnection.ConnectAsync(broker.Port);
        await other.SendAsync<ProduceResponse>(Requests.Produce("pipe", 0, Requests.Batch(1)), 7);
        var fetchBody = await connection.ReadResponseBodyAsync(Strom.Protocol.ApiKey.Fetch, 11, fetchId, quick.Token);
        Assert.NotEmpty(fetchBody);
    }
}

public sealed class ShutdownTests
{
    [Fact]
    public async Task A_restart_does_not_wait_for_idle_client_connections()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var idle = await KafkaTestConnection.ConnectAsync(broker.Port);
        await Requests.EnsureTopicAsync(idle, "idle-conn");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await broker.RestartAsync();
        // Kestrel's shutdown timeout is 30 s: an open Kafka connection must not hold the stop that long.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"restart took {watch.Elapsed}");
        Assert.True(await idle.IsClosedByPeerAsync(TimeSpan.FromSeconds(5)));
    }
}
