using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Strom.Benchmarks.Load;

/// <summary>Produce throughput: N records of a fixed size, at full speed or a fixed rate, acks=1.</summary>
internal static class ProduceBench
{
    public static int Run(Options options)
    {
        var topic = options.String("topic");
        var count = options.Long("count", 1_000_000);
        var size = options.Int("size", 1024);
        var rate = options.Double("rate", 0);
        var payload = new byte[size];
        new Random(42).NextBytes(payload);
        var message = new Message<Null, byte[]> { Value = payload };
        long delivered = 0, failed = 0;
        Error? firstError = null;
        void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                firstError ??= report.Error;
                Interlocked.Increment(ref failed);
            }
            else
            {
                Interlocked.Increment(ref delivered);
            }
        }

        using var producer = ProducerFactory.Create(options, defaultLingerMs: 5);
        var pacer = rate > 0 ? new Pacer(rate) : null;
        var start = Stopwatch.GetTimestamp();
        for (long sent = 0; sent < count;)
        {
            var due = pacer is null ? count - sent : Math.Min(pacer.WaitForDue(), count - sent);
            for (long i = 0; i < due; i++, sent++)
            {
                ProducerFactory.ProduceWithBackpressure(producer, topic, message, OnDelivery);
            }
        }
        producer.Flush(TimeSpan.FromMinutes(5));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ok = Interlocked.Read(ref delivered);
        var bytes = ok * size;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT mode=produce size={size} count={count} delivered={ok} failed={Interlocked.Read(ref failed)} seconds={seconds:F3} msgps={ok / seconds:F0} mbps={bytes / seconds / 1e6:F1}"));
        if (firstError is not null)
        {
            Console.Error.WriteLine($"strom-load: first delivery error: {firstError.Code} {firstError.Reason}");
        }
        return ok == count ? 0 : 1;
    }
}
