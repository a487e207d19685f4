using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

// Confluent.Kafka's P/Invokes name "librdkafka": load the compat shim (three functions newer
// than Debian's librdkafka 2.0.2), which depends on the system librdkafka.so.1 for the rest.
NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, (name, _, _) =>
    name == "librdkafka" && (NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, "librdkafka-compat.so"), out var h)
        || NativeLibrary.TryLoad("/usr/lib/x86_64-linux-gnu/librdkafka.so.1", out h)) ? h : IntPtr.Zero);

// Usage: produce|consume --bootstrap-server HOST:PORT --topic T [--num-records N] [--record-size S] [--acks 1] [-X key=value]...
if (args.Length == 0 || args[0] is not ("produce" or "consume"))
{
    Console.Error.WriteLine("usage: produce|consume --bootstrap-server HOST:PORT --topic T [--num-records N] [--record-size S] [--acks 1] [-X key=value]");
    return 2;
}
var mode = args[0];
string bootstrap = "127.0.0.1:9092", topic = "bench", acks = "1";
long count = 1_000_000;
var size = 1024;
var extra = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2)
{
    var v = args[i + 1];
    switch (args[i])
    {
        case "--bootstrap-server": bootstrap = v; break;
        case "--topic": topic = v; break;
        case "--num-records": count = long.Parse(v, CultureInfo.InvariantCulture); break;
        case "--record-size": size = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--acks": acks = v; break;
        case "-X": extra[v[..v.IndexOf('=')]] = v[(v.IndexOf('=') + 1)..]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
Console.Error.WriteLine($"Confluent.Kafka {typeof(Library).Assembly.GetName().Version} on librdkafka {Library.VersionString}");
return mode == "produce" ? Produce() : Consume();

int Produce()
{
    var config = new ProducerConfig(extra) { BootstrapServers = bootstrap, Acks = acks is "all" or "-1" ? Acks.All : acks == "0" ? Acks.None : Acks.Leader };
    using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
    var value = new byte[size];
    Random.Shared.NextBytes(value);
    var message = new Message<Null, byte[]> { Value = value };
    long delivered = 0, failed = 0;
    void OnDelivery(DeliveryReport<Null, byte[]> report)
    {
        if (report.Error.IsError)
        {
            failed++;
        }
        else
        {
            delivered++;
        }
    }
    Action<DeliveryReport<Null, byte[]>> handler = OnDelivery;
    var clock = Stopwatch.StartNew();
    for (long i = 0; i < count; i++)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, handler);
                break;
            }
            catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }
    producer.Flush(TimeSpan.FromMinutes(5));
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(Summary(delivered, (long)size * delivered, seconds));
    return failed == 0 && delivered == count ? 0 : 1;
}

int Consume()
{
    var config = new ConsumerConfig(extra) { BootstrapServers = bootstrap, GroupId = "strom-bench-ref", EnableAutoCommit = false };
    using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
    using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
    {
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics[0].Partitions.Select(p => p.PartitionId);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
    }
    long read = 0, bytes = 0;
    var clock = Stopwatch.StartNew();
    while (read < count)
    {
        var result = consumer.Consume(TimeSpan.FromSeconds(10));
        if (result is null)
        {
            Console.Error.WriteLine($"no record for 10 s after {read} of {count}");
            return 1;
        }
        read++;
        bytes += result.Message.Value?.Length ?? 0;
    }
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(Summary(read, bytes, seconds));
    consumer.Close();
    return 0;
}

static string Summary(long records, long bytes, double seconds) => string.Create(CultureInfo.InvariantCulture,
    $"{records} records, {records / seconds:0.0} records/s, {bytes / seconds / (1024 * 1024):0.0} MB/s");
