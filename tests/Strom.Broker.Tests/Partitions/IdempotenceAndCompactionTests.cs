using System.Text;
using Strom.Broker.Tests.Core;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;
using Strom.Testing;
using Record = Strom.Protocol.Records.Record;

namespace Strom.Broker.Tests.Partitions;

public sealed class IdempotenceAndCompactionTests
{
    private static byte[] Batch(IEnumerable<(string? Key, string Value)> records, long producerId = -1, short epoch = -1, int baseSequence = -1)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        foreach (var (key, value) in records)
        {
            builder.Append(1_700_000_000_000, key is null ? null : Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        }
        return builder.ToArray();
    }

    private static byte[] Idempotent(short epoch, int sequence, int count) =>
        Batch(Enumerable.Range(sequence, count).Select(i => ((string?)$"k{i}", $"e{epoch}-s{i}")), 1000, epoch, sequence);

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(KafkaTestConnection connection, string topic, byte[] batch)
    {
        var response = await connection.SendAsync<ProduceResponse>(Requests.Produce(topic, 0, batch), 9);
        return response.Responses[0].PartitionResponses[0];
    }

    private static async Task<List<Record>> FetchAllAsync(KafkaTestConnection connection, string topic, Uuid topicId)
    {
        var records = new List<Record>();
        long offset = 0;
        while (true)
        {
            var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch(topic, topicId, 0, offset), 12);
            var partition = fetch.Responses[0].Partitions[0];
            Assert.Equal(0, partition.ErrorCode);
            if (partition.Records is not { Length: > 0 } bytes)
            {
                return records;
            }
            var reader = new RecordBatchReader(bytes);
            while (reader.TryReadNext(out var batch))
            {
                records.AddRange(batch.Records.Where(r => r.Offset >= offset));
                offset = batch.NextOffset;
            }
            if (offset >= partition.HighWatermark)
            {
                return records;
            }
        }
    }

    [Fact]
    public async Task A_retried_batch_is_acknowledged_with_its_original_offset_and_stored_once()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "idem");

        Assert.Equal(0, (await ProduceAsync(connection, "idem", Idempotent(0, 0, 3))).BaseOffset);
        Assert.Equal(3, (await ProduceAsync(connection, "idem", Idempotent(0, 3, 2))).BaseOffset);
        var retry = await ProduceAsync(connection, "idem", Idempotent(0, 0, 3));

        Assert.Equal(0, retry.ErrorCode);
        Assert.Equal(0, retry.BaseOffset);
        var records = await FetchAllAsync(connection, "idem", topic.TopicId);
        Assert.Equal(["e0-s0", "e0-s1", "e0-s2", "e0-s3", "e0-s4"], records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    [Fact]
    public async Task Gaps_and_stale_epochs_get_Kafkas_error_codes()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await Requests.EnsureTopicAsync(connection, "fenced");
        await ProduceAsync(connection, "fenced", Idempotent(0, 0, 1));

        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(connection, "fenced", Idempotent(0, 5, 1))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(connection, "fenced", Idempotent(1, 0, 1))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, (await ProduceAsync(connection, "fenced", Idempotent(0, 1, 1))).ErrorCode);
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(connection, "fenced", Idempotent(2, 3, 1))).ErrorCode);
    }

    [Fact]
    public async Task Duplicates_are_still_recognised_after_a_broker_restart()
    {
        await using var broker = await StromBroker.StartAsync();
        var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "restart");
        await ProduceAsync(connection, "restart", Idempotent(0, 0, 2));
        await connection.DisposeAsync();

        await broker.RestartAsync();

        await using var again = await KafkaTestConnection.ConnectAsync(broker.Port);
        var retry = await ProduceAsync(again, "restart", Idempotent(0, 0, 2));
        Assert.Equal(0, retry.ErrorCode);
        Assert.Equal(0, retry.BaseOffset);
        Assert.Equal(2, (await ProduceAsync(again, "restart", Idempotent(0, 2, 1))).BaseOffset);
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(again, "restart", Idempotent(0, 9, 1))).ErrorCode);
        Assert.Equal(3, (await FetchAllAsync(again, "restart", topic.TopicId)).Count);
    }

    [Fact]
    public async Task Keyless_records_on_a_compacted_topic_are_invalid()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["log.cleanup.policy"] = "compact" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await Requests.EnsureTopicAsync(connection, "keys");

        var keyless = await ProduceAsync(connection, "keys", Batch([(null, "v")]));
        var keyed = await ProduceAsync(connection, "keys", Batch([("k", "v")]));

        Assert.Equal((short)ErrorCode.InvalidRecord, keyless.ErrorCode);
        Assert.Equal(0, keyed.ErrorCode);
        Assert.Equal(0, keyed.BaseOffset);
    }

    [Fact]
    public async Task The_background_cleaner_compacts_a_compacted_topic_keeping_offsets()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["log.cleanup.policy"] = "compact",
            ["log.segment.bytes"] = "16384",
            ["log.cleaner.backoff.ms"] = "50",
            ["log.segment.delete.delay.ms"] = "0",
        });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var topic = await Requests.EnsureTopicAsync(connection, "compacted");
        for (var start = 0; start < 5_000; start += 100)
        {
            var batch = Batch(Enumerable.Range(start, 100).Select(i => ((string?)$"key-{i % 50}", $"v{i}")));
            Assert.Equal(0, (await ProduceAsync(connection, "compacted", batch)).ErrorCode);
        }

        List<Record> records;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(100);
            records = await FetchAllAsync(connection, "compacted", topic.TopicId);
        }
        while (records.Count == 5_000 && DateTime.UtcNow < deadline);

        Assert.True(records.Count < 5_000, "the cleaner never ran");
        foreach (var r in records)
        {
            Assert.Equal($"v{r.Offset}", Encoding.UTF8.GetString(r.Value!.Value.Span));
        }
        var latest = records.GroupBy(r => Encoding.UTF8.GetString(r.Key!.Value.Span)).ToDictionary(g => g.Key, g => g.Max(r => r.Offset));
        Assert.Equal(50, latest.Count);
        Assert.All(latest, kv => Assert.True(kv.Value >= 4_950));
    }
}
