using System.Text;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Client.Producer;
using Strom.Testing;

namespace Strom.Client.Tests;

public class IdempotentProducerTests
{
    [Fact]
    public void ExplicitIdempotenceNeedsAcksAll()
    {
        Assert.Throws<KafkaConfigException>(() => ProducerOptions.FromConfig(new Dictionary<string, string> { ["enable.idempotence"] = "true", ["acks"] = "1" }));
        Assert.False(ProducerOptions.FromConfig(new Dictionary<string, string> { ["acks"] = "1" }).IsIdempotent);
        Assert.True(ProducerOptions.FromConfig(new Dictionary<string, string>()).IsIdempotent);
    }

    [Fact]
    public async Task ProducingAcrossBrokerRestartsLeavesEveryAcknowledgedRecordOnceInOrder()
    {
        await using var broker = await StromBroker.StartAsync();
        var topic = BrokerFixture.NewTopic("idem");
        await ConsumerGroupTests.CreateTopicAsync(broker.BootstrapServers, topic, 3);
        const int Count = 30_000;
        var acknowledged = new DeliveryResult?[Count];
        await using (var producer = new KafkaProducer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["enable.idempotence"] = "true",
            ["linger.ms"] = "2",
            ["batch.size"] = "2048",
            ["request.timeout.ms"] = "5000",
            ["retry.backoff.ms"] = "20",
            ["retry.backoff.max.ms"] = "200",
        }))
        {
            var sends = new Task<DeliveryResult>[Count];
            var restarts = 0;
            for (var i = 0; i < Count; i++)
            {
                sends[i] = producer.ProduceAsync(topic, Encoding.UTF8.GetBytes($"k{i % 7}"), Encoding.UTF8.GetBytes(i.ToString("D6")));
                if (i is Count / 3 or 2 * Count / 3)
                {
                    // Restart while batches are in flight: their answers are lost and they are sent again.
                    await Task.WhenAny(sends[i - 2000], Task.Delay(10_000));
                    await broker.RestartAsync();
                    restarts++;
                }
            }
            Assert.Equal(2, restarts);
            for (var i = 0; i < Count; i++)
            {
                try
                {
                    acknowledged[i] = await sends[i];
                }
                catch (KafkaException)
                {
                    acknowledged[i] = null;
                }
            }
            Assert.True(producer.ProducerIdAndEpoch.ProducerId >= 0);
        }
        Assert.True(acknowledged.Count(a => a is not null) > Count * 9 / 10, "most records should be acknowledged");

        await using var consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["auto.offset.reset"] = "earliest",
            ["fetch.max.wait.ms"] = "100",
        });
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)));
        var seen = new Dictionary<int, (int Partition, long Offset)>();
        var lastPerPartition = new int[3].Select(_ => -1).ToArray();
        while (true)
        {
            var record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(3));
            if (record is null)
            {
                break;
            }
            var value = int.Parse(Encoding.UTF8.GetString(record.Value!.Value.Span), System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(seen.ContainsKey(value), $"record {value} is stored twice: at {seen.GetValueOrDefault(value)} and {record.Partition}@{record.Offset}");
            Assert.True(value > lastPerPartition[record.Partition], $"partition {record.Partition}: {value} after {lastPerPartition[record.Partition]}");
            lastPerPartition[record.Partition] = value;
            seen[value] = (record.Partition, record.Offset);
        }
        for (var i = 0; i < Count; i++)
        {
            if (acknowledged[i] is { } ack)
            {
                Assert.True(seen.TryGetValue(i, out var at), $"acknowledged record {i} is missing");
                Assert.Equal((ack.Partition, ack.Offset), at);
            }
        }
    }
}
