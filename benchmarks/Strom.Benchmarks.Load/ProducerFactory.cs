using Confluent.Kafka;

namespace Strom.Benchmarks.Load;

/// <summary>The producer every benchmark uses: acks=1, no idempotence, no compression, large queues.</summary>
internal static class ProducerFactory
{
    public static IProducer<Null, byte[]> Create(Options options, int defaultLingerMs)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.String("bootstrap"),
            Acks = Acks.Leader,
            LingerMs = options.Double("linger-ms", defaultLingerMs),
            BatchSize = options.Int("batch-size", 1_000_000),
            CompressionType = CompressionType.None,
            EnableIdempotence = false,
            QueueBufferingMaxMessages = 1_000_000,
            QueueBufferingMaxKbytes = 1 << 20,
            MessageMaxBytes = 2_000_000,
            ClientId = "strom-load",
        };
        return new ProducerBuilder<Null, byte[]>(config)
            .SetLogHandler((_, m) => Console.Error.WriteLine($"producer: {m.Level} {m.Facility} {m.Message}"))
            .Build();
    }

    /// <summary>Produces, waiting (polling delivery reports) while librdkafka's queue is full.</summary>
    public static void ProduceWithBackpressure(IProducer<Null, byte[]> producer, string topic, Message<Null, byte[]> message,
        Action<DeliveryReport<Null, byte[]>> onDelivery)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return;
            }
            catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(1));
            }
        }
    }
}
