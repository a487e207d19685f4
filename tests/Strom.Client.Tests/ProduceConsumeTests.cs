using System.Text;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Client.Producer;
using Strom.Protocol.Records;

namespace Strom.Client.Tests;

public class ProduceConsumeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private KafkaProducer NewProducer(string compression = "none", string acks = "all", string linger = "5") => new(new Dictionary<string, string>
    {
        ["bootstrap.servers"] = fixture.Bootstrap,
        ["compression.type"] = compression,
        ["acks"] = acks,
        ["linger.ms"] = linger,
    });

    private KafkaConsumer NewConsumer(string reset = "earliest") => new(new Dictionary<string, string>
    {
        ["bootstrap.servers"] = fixture.Bootstrap,
        ["auto.offset.reset"] = reset,
        ["fetch.max.wait.ms"] = "100",
    });

    private static async Task<List<ConsumeResult>> ReadAsync(KafkaConsumer consumer, int count)
    {
        var results = new List<ConsumeResult>();
        while (results.Count < count)
        {
            var record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(record);
            results.Add(record);
        }
        return results;
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task RoundTripWithEveryCodec(string codec)
    {
        var topic = BrokerFixture.NewTopic("codec-" + codec);
        const int count = 200;
        var baseTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await using (var producer = NewProducer(codec))
        {
            var sends = new List<Task<DeliveryResult>>();
            for (var i = 0; i < count; i++)
            {
                var headers = new[] { new RecordHeader("h", Encoding.UTF8.GetBytes($"hv{i}")), new RecordHeader("null", null) };
                sends.Add(producer.ProduceAsync(topic, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"value {i} " + new string('x', i % 50)),
                    headers, baseTime + i, partition: 0));
            }
            var results = await Task.WhenAll(sends);
            Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), results.Select(r => r.Offset));
            Assert.Equal(baseTime + 7, results[7].Timestamp);
        }
        await using var consumer = NewConsumer();
        consumer.Assign([new TopicPartition(topic, 0)]);
        var read = await ReadAsync(consumer, count);
        for (var i = 0; i < count; i++)
        {
            var r = read[i];
            Assert.Equal(i, r.Offset);
            Assert.Equal($"k{i}", Encoding.UTF8.GetString(r.Key!.Value.Span));
            Assert.Equal($"value {i} " + new string('x', i % 50), Encoding.UTF8.GetString(r.Value!.Value.Span));
            Assert.Equal(baseTime + i, r.Timestamp);
            Assert.Equal(TimestampType.CreateTime, r.TimestampType);
            Assert.Equal(2, r.Headers.Count);
            Assert.Equal("h", r.Headers[0].Key);
            Assert.Equal($"hv{i}", Encoding.UTF8.GetString(r.Headers[0].Value!));
            Assert.Null(r.Headers[1].Value);
        }
        Assert.Equal(count, consumer.Position(new TopicPartition(topic, 0)));
    }

    [Fact]
    public async Task NullAndEmptyKeysAndValuesStayDistinct()
    {
        var topic = BrokerFixture.NewTopic("nulls");
        await using (var producer = NewProducer())
        {
            await producer.ProduceAsync(topic, null, null, partition: 0);
            await producer.ProduceAsync(topic, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, partition: 0);
            byte[]? nullArray = null;
            await producer.ProduceAsync(topic, nullArray, [], partition: 0);
        }
        await using var consumer = NewConsumer();
        consumer.Assign([new TopicPartition(topic, 0)]);
        var read = await ReadAsync(consumer, 3);
        Assert.Null(read[0].Key);
        Assert.Null(read[0].Value);
        Assert.Equal(0, read[1].Key!.Value.Length);
        Assert.Equal(0, read[1].Value!.Value.Length);
        Assert.Null(read[2].Key);
        Assert.Equal(0, read[2].Value!.Value.Length);
    }

    [Fact]
    public async Task KeyedRecordsGoToTheirMurmur2PartitionAndKeepOrder()
    {
        // Auto-created topics get num.partitions partitions.
        await using var broker = await Strom.Testing.StromBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "6" });
        var topic = BrokerFixture.NewTopic("keyed");
        var keys = new[] { "foobar", "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", "abc", "21" };
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers, ["linger.ms"] = "0" });
        var results = new List<DeliveryResult>();
        for (var i = 0; i < 40; i++)
        {
            results.Add(await producer.ProduceAsync(topic, Encoding.UTF8.GetBytes(keys[i % keys.Length]), Encoding.UTF8.GetBytes(i.ToString())));
        }
        // Worked out by hand from murmur2 (see PartitionerTests): foobar 0, lkjh... 5, abc 3, 21 0.
        Assert.All(results.Where((_, i) => i % 4 == 0), r => Assert.Equal(0, r.Partition));
        Assert.All(results.Where((_, i) => i % 4 == 1), r => Assert.Equal(5, r.Partition));
        Assert.All(results.Where((_, i) => i % 4 == 2), r => Assert.Equal(3, r.Partition));
        Assert.All(results.Where((_, i) => i % 4 == 3), r => Assert.Equal(0, r.Partition));
        foreach (var group in results.GroupBy(r => r.Partition))
        {
            Assert.Equal(Enumerable.Range(0, group.Count()).Select(i => (long)i), group.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task KeylessRecordsStickToOnePartitionPerBatch()
    {
        await using var broker = await Strom.Testing.StromBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "4" });
        var topic = BrokerFixture.NewTopic("sticky");
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers, ["linger.ms"] = "1000" });
        var sends = Enumerable.Range(0, 20).Select(i => producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes($"v{i}"))).ToArray();
        await producer.FlushAsync();
        var results = await Task.WhenAll(sends);
        Assert.Single(results.Select(r => r.Partition).Distinct());
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), results.Select(r => r.Offset));
    }

    [Fact]
    public async Task SeekToOffsetTimestampAndEnd()
    {
        var topic = BrokerFixture.NewTopic("seek");
        await using (var producer = NewProducer())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes($"v{i}"), timestamp: 1_000_000 + (i * 1000), partition: 0);
            }
        }
        var tp = new TopicPartition(topic, 0);
        await using var consumer = NewConsumer(reset: "latest");
        consumer.Assign([tp]);
        consumer.Seek(tp, 7);
        Assert.Equal(7, (await consumer.ConsumeAsync(TimeSpan.FromSeconds(10)))!.Offset);
        await consumer.SeekToTimestampAsync(new Dictionary<TopicPartition, long> { [tp] = 1_004_500 });
        Assert.Equal(5, (await consumer.ConsumeAsync(TimeSpan.FromSeconds(10)))!.Offset);
        await consumer.SeekToBeginningAsync([tp]);
        Assert.Equal(0, (await consumer.ConsumeAsync(TimeSpan.FromSeconds(10)))!.Offset);
        await consumer.SeekToEndAsync([tp]);
        Assert.Null(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal((0L, 10L), await consumer.QueryWatermarkOffsetsAsync(tp));
    }

    [Fact]
    public async Task LatestResetSeesOnlyNewRecords()
    {
        var topic = BrokerFixture.NewTopic("latest");
        await using var producer = NewProducer(linger: "0");
        await producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes("old"), partition: 0);
        await using var consumer = NewConsumer(reset: "latest");
        var tp = new TopicPartition(topic, 0);
        consumer.Assign([tp]);
        Assert.Null(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(700)));
        await producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes("new"), partition: 0);
        var record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("new", Encoding.UTF8.GetString(record!.Value!.Value.Span));
        Assert.Equal(1, record.Offset);
    }

    [Fact]
    public async Task AcksZeroAndAcksOneDeliver()
    {
        var topic = BrokerFixture.NewTopic("acks");
        await using (var one = NewProducer(acks: "1"))
        {
            var r = await one.ProduceAsync(topic, null, Encoding.UTF8.GetBytes("a1"), partition: 0);
            Assert.Equal(0, r.Offset);
        }
        await using (var zero = NewProducer(acks: "0"))
        {
            var r = await zero.ProduceAsync(topic, null, Encoding.UTF8.GetBytes("a0"), partition: 0);
            Assert.Equal(-1, r.Offset);
            await zero.FlushAsync();
        }
        await using var consumer = NewConsumer();
        consumer.Assign([new TopicPartition(topic, 0)]);
        var read = await ReadAsync(consumer, 2);
        Assert.Equal(["a1", "a0"], read.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    [Fact]
    public async Task ProducerRetriesAcrossBrokerRestartKeepingOrder()
    {
        await using var broker = await Strom.Testing.StromBroker.StartAsync();
        var topic = BrokerFixture.NewTopic("restart");
        await using var producer = new KafkaProducer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["linger.ms"] = "0",
            ["retry.backoff.ms"] = "50",
        });
        await producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes("before"), partition: 0);
        await broker.RestartAsync();
        Assert.Equal(1, (await producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes("after"), partition: 0)).Offset);
    }

    [Fact]
    public async Task RecordLargerThanMaxRequestSizeFails()
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.Bootstrap,
            ["max.request.size"] = "1000",
        });
        var ex = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync("big", null, new byte[2000]));
        Assert.Equal(Strom.Protocol.ErrorCode.MessageTooLarge, ex.ErrorCode);
    }

    [Fact]
    public void ConfigRejectsBadValues()
    {
        Assert.Throws<KafkaConfigException>(() => ProducerOptions.FromConfig(new Dictionary<string, string> { ["acks"] = "2" }));
        Assert.Throws<KafkaConfigException>(() => ProducerOptions.FromConfig(new Dictionary<string, string> { ["compression.type"] = "brotli" }));
        Assert.Throws<KafkaConfigException>(() => ConsumerOptions.FromConfig(new Dictionary<string, string> { ["fetch.max.wait.ms"] = "-5" }));
        var options = ProducerOptions.FromConfig(new Dictionary<string, string> { ["acks"] = "all", ["linger.ms"] = "20", ["bootstrap.servers"] = "a:1, b:2" });
        Assert.Equal(-1, options.Acks);
        Assert.Equal(20, options.LingerMs);
        Assert.Equal(["a:1", "b:2"], options.Client.BootstrapServers);
    }
    [Fact]
    public async Task PausedPartitionsReturnNothingUntilResumed()
    {
        var topic = BrokerFixture.NewTopic("pause");
        await using (var producer = NewProducer())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, Encoding.UTF8.GetBytes($"a{i}"), Encoding.UTF8.GetBytes("v"), partition: 0);
            }
        }
        await using var consumer = NewConsumer();
        var tp = new TopicPartition(topic, 0);
        consumer.Assign([tp]);
        var first = await ReadAsync(consumer, 3);
        Assert.Equal([0L, 1, 2], first.Select(r => r.Offset));

        consumer.Pause([tp]);
        Assert.Equal([tp], consumer.Paused);
        Assert.Null(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(700)));
        Assert.Equal(3, consumer.Position(tp));

        consumer.Resume([tp]);
        Assert.Empty(consumer.Paused);
        var rest = await ReadAsync(consumer, 7);
        Assert.Equal(Enumerable.Range(3, 7).Select(o => (long)o), rest.Select(r => r.Offset));
    }
}
