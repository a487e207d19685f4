using System.Text;
using Confluent.Kafka;
using Strom.Client.Admin;
using Strom.Client.Config;
using Strom.Testing;
using StromConsumer = Strom.Client.Consumer.KafkaConsumer;
using StromHeader = Strom.Protocol.Records.RecordHeader;
using StromProducer = Strom.Client.Producer.KafkaProducer;
using StromTopicPartition = Strom.Client.TopicPartition;

namespace Strom.Interop.Tests;

/// <summary>
/// Strom.Client against librdkafka (Confluent.Kafka 2.15.1 on the system librdkafka) through a
/// Strom broker: what one writes, with every codec, keys, headers and timestamps, the other
/// reads back exactly; and both partition a key the same way.
/// </summary>
public class StromClientInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Strom.Protocol.Records.CompressionType[] StromCodecs =
    [
        Strom.Protocol.Records.CompressionType.None, Strom.Protocol.Records.CompressionType.Gzip, Strom.Protocol.Records.CompressionType.Snappy,
        Strom.Protocol.Records.CompressionType.Lz4, Strom.Protocol.Records.CompressionType.Zstd,
    ];

    [Fact]
    public async Task StromClientProducesLibrdkafkaConsumes()
    {
        const string Topic = "interop-strom-to-librdkafka";
        await using var broker = await StromBroker.StartAsync();
        await ScriptClientTests.CreateTopicAsync(broker.BootstrapServers, Topic);

        for (var c = 0; c < InteropDataSet.Codecs.Length; c++)
        {
            await using var producer = new StromProducer(new ProducerOptions
            {
                Client = new ClientOptions { BootstrapServers = [broker.BootstrapServers], ClientId = $"strom-{InteropDataSet.Codecs[c]}" },
                CompressionType = StromCodecs[c],
                Acks = -1,
            });
            var records = InteropDataSet.ForCodec(c).ToList();
            var deliveries = records.Select(r => producer.ProduceAsync(Topic, r.KeyBytes, r.ValueBytes,
                r.Headers.Select(h => new StromHeader(h.Key, Encoding.UTF8.GetBytes(h.Value))).ToArray(), r.Timestamp, r.Partition)).ToList();
            await producer.FlushAsync();
            for (var n = 0; n < records.Count; n++)
            {
                var report = await deliveries[n];
                Assert.True(report.Partition == records[n].Partition && report.Offset >= 0,
                    $"codec {InteropDataSet.Codecs[c]}: {records[n].Key} delivered to {report.Partition}@{report.Offset}");
            }
        }

        ConfluentKafkaTests.Verify(broker.BootstrapServers, Topic);
    }

    [Fact]
    public async Task LibrdkafkaProducesStromClientConsumes()
    {
        const string Topic = "interop-librdkafka-to-strom";
        await using var broker = await StromBroker.StartAsync();
        await ScriptClientTests.CreateTopicAsync(broker.BootstrapServers, Topic);
        await ConfluentKafkaTests.ProduceAsync(broker.BootstrapServers, Topic);

        await using var consumer = new StromConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["auto.offset.reset"] = "earliest",
        });
        consumer.Assign(Enumerable.Range(0, InteropDataSet.Partitions).Select(p => new StromTopicPartition(Topic, p)));
        var read = Enumerable.Range(0, InteropDataSet.Partitions).Select(_ => new List<Strom.Client.Consumer.ConsumeResult>()).ToArray();
        var total = InteropDataSet.Codecs.Length * InteropDataSet.PerCodec;
        var deadline = DateTime.UtcNow + Timeout;
        while (read.Sum(r => r.Count) < total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out: read {string.Join(", ", read.Select(r => r.Count))} of {total}");
            if (await consumer.ConsumeAsync(TimeSpan.FromSeconds(1)) is { } record)
            {
                read[record.Partition].Add(record);
            }
        }

        for (var p = 0; p < InteropDataSet.Partitions; p++)
        {
            var expected = InteropDataSet.ExpectedAt(p);
            Assert.Equal(expected.Count, read[p].Count);
            for (var n = 0; n < expected.Count; n++)
            {
                var (want, got) = (expected[n], read[p][n]);
                var where = $"partition {p} offset {got.Offset}";
                Assert.True(got.Offset == n, $"partition {p}: record #{n} has offset {got.Offset}");
                Assert.True(want.Key == Text(got.Key), $"{where}: key {Text(got.Key)}, expected {want.Key}");
                Assert.True(want.Value == Text(got.Value), $"{where}: value {Text(got.Value)}, expected {want.Value}");
                var headers = got.Headers.Select(h => (h.Key, h.Value is null ? "<null>" : Encoding.UTF8.GetString(h.Value))).ToArray();
                Assert.True(want.Headers.SequenceEqual(headers), $"{where}: headers {string.Join(",", headers)}, expected {string.Join(",", want.Headers)}");
                Assert.True(got.TimestampType == Strom.Protocol.Records.TimestampType.CreateTime && got.Timestamp == want.Timestamp,
                    $"{where}: timestamp {got.TimestampType} {got.Timestamp}, expected CreateTime {want.Timestamp}");
            }
        }
    }

    /// <summary>
    /// The same keys produced by librdkafka's murmur2_random partitioner (Java's partitioning)
    /// and by Strom.Client's default partitioner land on the same partitions of a 16-partition topic.
    /// </summary>
    [Fact]
    public async Task KeysLandOnTheSamePartitionAsWithLibrdkafkaMurmur2Random()
    {
        const string Topic = "interop-partitioner";
        const int Partitions = 16;
        await using var broker = await StromBroker.StartAsync();
        await using (var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(Topic, Partitions, 1)]);
        }
        // Lengths 1..40 cover every tail case of the hash; some keys are non-ASCII UTF-8.
        var keys = Enumerable.Range(0, 400)
            .Select(i => Encoding.UTF8.GetBytes(i % 5 == 0 ? $"schlüssel-{i}-ß" : new string((char)('a' + (i % 26)), 1 + (i % 40)) + i))
            .ToArray();

        var theirs = new int[keys.Length];
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            Partitioner = Partitioner.Murmur2Random,
            Acks = Acks.Leader,
        }).Build())
        {
            var reports = keys.Select(k => producer.ProduceAsync(Topic, new Message<byte[], byte[]> { Key = k, Value = [1] })).ToArray();
            producer.Flush(Timeout);
            for (var i = 0; i < keys.Length; i++)
            {
                theirs[i] = (await reports[i]).Partition.Value;
            }
        }

        var ours = new int[keys.Length];
        await using (var producer = new StromProducer(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers, ["acks"] = "1" }))
        {
            var reports = keys.Select(k => producer.ProduceAsync(Topic, k, [2])).ToArray();
            await producer.FlushAsync();
            for (var i = 0; i < keys.Length; i++)
            {
                ours[i] = (await reports[i]).Partition;
            }
        }

        Assert.True(theirs.Distinct().Count() == Partitions, $"the keys should reach every partition; librdkafka used {theirs.Distinct().Count()}");
        var differ = Enumerable.Range(0, keys.Length).Where(i => ours[i] != theirs[i])
            .Select(i => $"{Encoding.UTF8.GetString(keys[i])}: librdkafka {theirs[i]}, Strom {ours[i]}").ToArray();
        Assert.True(differ.Length == 0, string.Join("; ", differ.Take(10)));
    }

    private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;
}
