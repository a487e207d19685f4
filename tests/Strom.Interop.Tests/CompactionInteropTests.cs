using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Strom.Testing;

namespace Strom.Interop.Tests;

/// <summary>
/// Log compaction seen through Confluent.Kafka: 100,000 records over 1,000 keys on a compacted
/// topic with small segments; after the background cleaner has passed, a consumer reads exactly
/// the latest value of each key at the offset it was acknowledged with, and a tombstone stays
/// until delete.retention.ms has passed, then goes.
/// </summary>
public class CompactionInteropTests
{
    private const string Topic = "compacted";
    private const int Records = 100_000;
    private const int Keys = 1_000;
    private const int Tombstones = 100;
    private const string FillerKey = "filler";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> TopicConfig = new()
    {
        ["cleanup.policy"] = "compact",
        ["segment.bytes"] = "262144",
        ["min.cleanable.dirty.ratio"] = "0.01",
        ["delete.retention.ms"] = "86400000",
    };

    [Fact]
    public async Task Latest_value_per_key_at_its_original_offset_and_tombstones_expire()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["log.cleaner.backoff.ms"] = "100" });
        var b = broker.BootstrapServers;
        await GroupScripts.CreateTopicAsync(b, Topic, 1, TopicConfig);

        // Key i % 1000, value "v<i>"; then tombstones for the first 100 keys; then filler that
        // pushes all of it out of the active segment, which the cleaner never touches.
        var latest = new Dictionary<string, (long Offset, string? Value)>();
        using (var producer = NewProducer(b))
        {
            var main = Produce(producer, Enumerable.Range(0, Records).Select(i => ($"key-{i % Keys}", (string?)$"v{i}")));
            var deletes = Produce(producer, Enumerable.Range(0, Tombstones).Select(k => ($"key-{k}", (string?)null)));
            await RollAsync(producer);
            foreach (var (key, value, offset) in (await main).Concat(await deletes))
            {
                latest[key] = (offset, value);
            }
        }
        var end = await AwaitCleanedAsync(broker, b);

        var log = ReadAll(b, end);
        AssertCompacted(log, latest, tombstonesKept: true);

        // delete.retention.ms 0: the tombstones are due at once and go with the next cleaning,
        // which more data (dirty segments) brings on.
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = b }).Build())
        {
            var configs = TopicConfig.Select(c => new ConfigEntry { Name = c.Key, Value = c.Key == "delete.retention.ms" ? "0" : c.Value }).ToList();
            await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = Topic }] = configs,
            });
        }
        using (var producer = NewProducer(b))
        {
            await RollAsync(producer);
        }
        end = await AwaitCleanedAsync(broker, b);

        log = ReadAll(b, end);
        foreach (var k in Enumerable.Range(0, Tombstones))
        {
            latest.Remove($"key-{k}");
        }
        AssertCompacted(log, latest, tombstonesKept: false);
    }

    // Batches well under segment.bytes: a larger one is refused (RECORD_BATCH_TOO_LARGE), as in Kafka.
    private static IProducer<string, string?> NewProducer(string bootstrap) => new ProducerBuilder<string, string?>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        LingerMs = 5,
        BatchSize = 16_384,
        QueueBufferingMaxMessages = 1_000_000,
        Acks = Acks.All,
    }).Build();

    private static async Task<List<(string Key, string? Value, long Offset)>> Produce(IProducer<string, string?> producer, IEnumerable<(string Key, string? Value)> records)
    {
        var pending = new List<Task<DeliveryResult<string, string?>>>();
        foreach (var (key, value) in records)
        {
            pending.Add(producer.ProduceAsync(Topic, new Message<string, string?> { Key = key, Value = value }));
        }
        var results = await Task.WhenAll(pending);
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        return [.. results.Select(r => (r.Message.Key, r.Message.Value, r.Offset.Value))];
    }

    /// <summary>About two segments of one key: whatever came before is no longer in the active segment.</summary>
    private static Task RollAsync(IProducer<string, string?> producer) =>
        Produce(producer, Enumerable.Range(0, 512).Select(_ => (FillerKey, (string?)new string('f', 1000))));

    /// <summary>Waits until the cleaner has covered every segment but the active one; returns the log end offset.</summary>
    private static async Task<long> AwaitCleanedAsync(StromBroker broker, string bootstrap)
    {
        var logs = broker.Server!.Broker.Logs;
        var tp = new Strom.Storage.TopicPartition(Topic, 0);
        var log = logs.Get(tp)!;
        var activeBase = log.SegmentBaseOffsets[^1];
        var deadline = DateTime.UtcNow + Timeout;
        while (logs.CleanerCheckpoint(tp) < activeBase)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"the cleaner did not reach the active segment at {activeBase} within {Timeout} (checkpoint {logs.CleanerCheckpoint(tp)})");
            await Task.Delay(100);
        }
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "unused" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(Topic, 0), Timeout).High.Value;
    }

    private static List<(string Key, string? Value, long Offset)> ReadAll(string bootstrap, long end)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "compaction-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var records = new List<(string, string?, long)>();
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out reading the compacted log: {records.Count} records so far");
            var r = consumer.Consume(TimeSpan.FromSeconds(1));
            if (r is null)
            {
                continue;
            }
            if (r.IsPartitionEOF)
            {
                Assert.Equal(end, r.Offset.Value);
                break;
            }
            records.Add((r.Message.Key, r.Message.Value, r.Offset.Value));
        }
        consumer.Close();
        return records;
    }

    private static void AssertCompacted(List<(string Key, string? Value, long Offset)> log,
        Dictionary<string, (long Offset, string? Value)> latest, bool tombstonesKept)
    {
        var kept = log.Where(r => r.Key != FillerKey).ToList();
        Assert.True(kept.Count == latest.Count,
            $"{kept.Count} records of the {Keys} keys remain, expected {latest.Count} (tombstones kept: {tombstonesKept})");
        foreach (var (key, value, offset) in kept)
        {
            Assert.True(latest.TryGetValue(key, out var want), $"{key} at offset {offset} should be gone");
            Assert.True(want.Offset == offset && want.Value == value,
                $"{key}: read {value ?? "<tombstone>"} at offset {offset}, expected {want.Value ?? "<tombstone>"} at {want.Offset}");
        }
        Assert.True(kept.Select(r => r.Offset).SequenceEqual(kept.Select(r => r.Offset).Order()), "records out of offset order");
        Assert.True(log.Count < Records / 10, $"{log.Count} records in the log: little was compacted");
    }
}
