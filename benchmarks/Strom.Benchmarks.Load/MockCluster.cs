using System.Runtime.InteropServices;

namespace Strom.Benchmarks.Load;

/// <summary>
/// Hosts librdkafka's mock cluster (the reference broker) in this process, as
/// <c>kcat -X test.mock.num.brokers=1</c> does, but creates the topic through the mock's C API
/// (or topics, comma-separated) first: over the wire the mock only auto-creates topics with 4 partitions, and the benchmark
/// needs the same 8 partitions on both brokers. Prints <c>RESULT bootstrap=HOST:PORT</c>, then
/// serves until SIGTERM or SIGINT.
/// </summary>
internal static class MockCluster
{
    public static int Run(Options options)
    {
        var topics = options.String("topic").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var partitions = options.Int("partitions", 8);
        var conf = Librdkafka.Configure([new("test.mock.num.brokers", options.String("brokers", "1"))]);
        var rk = Librdkafka.Create(Librdkafka.ProducerType, conf);
        try
        {
            var cluster = Librdkafka.HandleMockCluster(rk);
            foreach (var topic in topics)
            {
                var rc = Librdkafka.MockTopicCreate(cluster, topic, partitions, 1);
                if (rc != 0)
                {
                    Console.Error.WriteLine($"strom-load: rd_kafka_mock_topic_create({topic}): {Librdkafka.ErrorName(rc)}");
                    return 1;
                }
            }
            Console.WriteLine($"RESULT bootstrap={Marshal.PtrToStringUTF8(Librdkafka.MockBootstraps(cluster))} topics={string.Join(',', topics)} partitions={partitions}");
            Console.Out.Flush();
            using var stop = new ManualResetEventSlim();
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
            stop.Wait();
        }
        finally
        {
            Librdkafka.Destroy(rk);
        }
        return 0;
    }
}
