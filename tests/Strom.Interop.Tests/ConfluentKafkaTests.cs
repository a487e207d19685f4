using System.Text;
using Confluent.Kafka;
using Strom.Testing;

namespace Strom.Interop.Tests;

/// <summary>Confluent.Kafka 2.15.1 (on the system librdkafka), in-process: the same steps as the scripts.</summary>
public class ConfluentKafkaTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly CompressionType[] CompressionTypes =
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Fact]
    public async Task ConfluentKafkaDotnet()
    {
        const string Topic = "interop-confluent-kafka-dotnet";
        await using var broker = await StromBroker.StartAsync();

        await ScriptClientTests.CreateTopicAsync(broker.BootstrapServers, Topic);
        await ProduceAsync(broker.BootstrapServers, Topic);
        Verify(broker.BootstrapServers, Topic);
        await broker.RestartAsync();
        Verify(broker.BootstrapServers, Topic);
    }

    internal static async Task ProduceAsync(string bootstrapServers, string topic)
    {
        for (var c = 0; c < InteropDataSet.Codecs.Length; c++)
        {
            var config = new ProducerConfig
            {
                BootstrapServers = bootstrapServers,
                ClientId = $"interop-dotnet-{InteropDataSet.Codecs[c]}",
                CompressionType = CompressionTypes[c],
                Acks = Acks.All,
                LingerMs = 5,
                MessageTimeoutMs = (int)Timeout.TotalMilliseconds,
            };
            using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
            var records = InteropDataSet.ForCodec(c).ToList();
            var deliveries = records.Select(r => producer.ProduceAsync(
                new TopicPartition(topic, r.Partition),
                new Message<byte[], byte[]>
                {
                    Key = r.KeyBytes,
                    Value = r.ValueBytes,
                    Timestamp = new Timestamp(r.Timestamp, TimestampType.CreateTime),
                    Headers = ToHeaders(r.Headers),
                })).ToList();
            producer.Flush(Timeout);
            for (var n = 0; n < records.Count; n++)
            {
                var report = await deliveries[n];
                Assert.True(report.Status == PersistenceStatus.Persisted && report.Partition.Value == records[n].Partition && report.Offset.Value >= 0,
                    $"codec {InteropDataSet.Codecs[c]}: {records[n].Key} delivered as {report.Status} to {report.TopicPartitionOffset}");
            }
        }
    }

    internal static void Verify(string bootstrapServers, string topic)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "interop-dotnet-verify",
            GroupId = "interop-dotnet-verify-unused",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, InteropDataSet.Partitions)
            .Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

        var read = Enumerable.Range(0, InteropDataSet.Partitions).Select(_ => new List<ConsumeResult<byte[], byte[]>>()).ToArray();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + Timeout;
        while (atEnd.Count < InteropDataSet.Partitions)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"timed out reading: {string.Join(", ", read.Select(r => r.Count))} records so far, at end: {string.Join(", ", atEnd)}");
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }
            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }
            read[result.Partition.Value].Add(result);
        }
        consumer.Close();

        for (var p = 0; p < InteropDataSet.Partitions; p++)
        {
            var expected = InteropDataSet.ExpectedAt(p);
            var actual = read[p];
            Assert.True(expected.Count == actual.Count, $"partition {p}: read {actual.Count} records, expected {expected.Count}");
            for (var n = 0; n < expected.Count; n++)
            {
                var (want, got) = (expected[n], actual[n]);
                var where = $"partition {p} offset {got.Offset.Value}";
                Assert.True(got.Offset.Value == n, $"partition {p}: record #{n} has offset {got.Offset.Value}; offsets must be contiguous from 0");
                Assert.True(want.Key == Text(got.Message.Key), $"{where}: key {Text(got.Message.Key)}, expected {want.Key}");
                Assert.True(want.Value == Text(got.Message.Value), $"{where}: value {Text(got.Message.Value)}, expected {want.Value}");
                var headers = got.Message.Headers.Select(h => (h.Key, Text(h.GetValueBytes()) ?? "<null>")).ToArray();
                Assert.True(want.Headers.SequenceEqual(headers), $"{where}: headers {string.Join(",", headers)}, expected {string.Join(",", want.Headers)}");
                Assert.True(got.Message.Timestamp.Type == TimestampType.CreateTime && got.Message.Timestamp.UnixTimestampMs == want.Timestamp,
                    $"{where}: timestamp {got.Message.Timestamp.Type} {got.Message.Timestamp.UnixTimestampMs}, expected CreateTime {want.Timestamp}");
            }
        }
    }

    private static Headers ToHeaders((string Key, string Value)[] headers)
    {
        var result = new Headers();
        foreach (var (key, value) in headers)
        {
            result.Add(key, Encoding.UTF8.GetBytes(value));
        }
        return result;
    }

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
