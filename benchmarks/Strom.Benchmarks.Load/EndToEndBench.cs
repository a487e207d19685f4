using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Strom.Benchmarks.Load;

/// <summary>
/// Produce at a fixed rate while a consumer reads the same topic from its end. Each payload
/// starts with its send time (Stopwatch ticks, same process), so the consumer measures
/// produce-call-to-consume latency. Every second the lag (records handed to the producer minus
/// records consumed: everything in flight end to end) is sampled; a consumer that keeps up
/// shows a flat series.
/// </summary>
internal static class EndToEndBench
{
    public static int Run(Options options)
    {
        var topic = options.String("topic");
        var size = Math.Max(16, options.Int("size", 1024));
        var rate = options.Double("rate", 10_000);
        var seconds = options.Double("seconds", 15);
        var warmup = options.Double("warmup-seconds", 2);
        var partitions = options.Int("partitions", 8);

        using var producer = ProducerFactory.Create(options, defaultLingerMs: 0);
        // One tiny record per partition first: librdkafka's mock cluster answers a fetch at offset 0
        // of a never-written partition with OFFSET_OUT_OF_RANGE, and the consumer would then skip ahead.
        for (var p = 0; p < partitions; p++)
        {
            producer.Produce(new TopicPartition(topic, p), new Message<Null, byte[]> { Value = [0] });
        }
        producer.Flush(TimeSpan.FromSeconds(30));

        var consumed = 0L;
        var latenciesUs = new List<long>(checked((int)(rate * seconds * 1.1) + 1024));
        var measureFrom = long.MaxValue;
        var stopConsumer = new CancellationTokenSource();
        var consumerReady = new ManualResetEventSlim();
        var consumerThread = new Thread(() => Consume(options, topic, partitions, latenciesUs, ref consumed, ref measureFrom, consumerReady, stopConsumer.Token))
        {
            Name = "consumer",
            IsBackground = true,
        };
        consumerThread.Start();
        if (!consumerReady.Wait(TimeSpan.FromSeconds(30)))
        {
            Console.Error.WriteLine("strom-load: consumer did not get its assignment");
            return 1;
        }

        long acked = 0, failed = 0;
        void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
            else
            {
                Interlocked.Increment(ref acked);
            }
        }

        var payload = new byte[size];
        new Random(7).NextBytes(payload);
        var message = new Message<Null, byte[]> { Value = payload };
        var pacer = new Pacer(rate);
        var start = Stopwatch.GetTimestamp();
        var warmupEnd = start + (long)(warmup * Stopwatch.Frequency);
        var end = warmupEnd + (long)(seconds * Stopwatch.Frequency);
        var nextSample = warmupEnd;
        var samples = new List<long>();
        long sent = 0, sentAtMeasureStart = 0, ackedAtMeasureStart = 0;
        var measuring = false;
        while (true)
        {
            var due = pacer.WaitForDue();
            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }
            if (!measuring && now >= warmupEnd)
            {
                measuring = true;
                Volatile.Write(ref measureFrom, now);
                sentAtMeasureStart = sent;
                ackedAtMeasureStart = Interlocked.Read(ref acked);
            }
            if (now >= nextSample && measuring)
            {
                samples.Add(sent - Interlocked.Read(ref consumed));
                nextSample += Stopwatch.Frequency;
            }
            for (long i = 0; i < due; i++, sent++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                ProducerFactory.ProduceWithBackpressure(producer, topic, message, OnDelivery);
            }
            producer.Poll(TimeSpan.Zero);
        }
        var measuredSeconds = Stopwatch.GetElapsedTime(warmupEnd).TotalSeconds;
        var sentMeasured = sent - sentAtMeasureStart;
        producer.Flush(TimeSpan.FromSeconds(30));
        var ackedMeasured = Interlocked.Read(ref acked) - ackedAtMeasureStart;

        // Let the consumer drain what was acknowledged before stopping it.
        var drainStart = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref consumed) < Interlocked.Read(ref acked) && Stopwatch.GetElapsedTime(drainStart).TotalSeconds < 30)
        {
            Thread.Sleep(10);
        }
        var drainSeconds = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
        stopConsumer.Cancel();
        consumerThread.Join();

        long[] sorted;
        lock (latenciesUs)
        {
            sorted = [.. latenciesUs];
        }
        Array.Sort(sorted);
        var result = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        result.Append(inv, $"RESULT mode=e2e size={size} rate={rate:F0} seconds={measuredSeconds:F1}");
        result.Append(inv, $" sent_msgps={sentMeasured / measuredSeconds:F0} acked_msgps={ackedMeasured / measuredSeconds:F0}");
        result.Append(inv, $" failed={Interlocked.Read(ref failed)} acked={Interlocked.Read(ref acked)} consumed={Interlocked.Read(ref consumed)} measured={sorted.Length}");
        result.Append(inv, $" p50_us={Percentile(sorted, 0.50)} p90_us={Percentile(sorted, 0.90)} p99_us={Percentile(sorted, 0.99)}");
        result.Append(inv, $" p999_us={Percentile(sorted, 0.999)} max_us={(sorted.Length > 0 ? sorted[^1] : -1)}");
        result.Append(inv, $" lag_max={(samples.Count > 0 ? samples.Max() : -1)} lag_first={(samples.Count > 0 ? samples[0] : -1)}");
        result.Append(inv, $" lag_last={(samples.Count > 0 ? samples[^1] : -1)} lag_slope_per_s={Slope(samples):F1} drain_s={drainSeconds:F2}");
        result.Append(inv, $" lag_samples={string.Join(',', samples)}");
        Console.WriteLine(result.ToString());
        return Interlocked.Read(ref failed) == 0 && sorted.Length > 0 ? 0 : 1;
    }

    private static unsafe void Consume(Options options, string topic, int partitions, List<long> latenciesUs, ref long consumed,
        ref long measureFrom, ManualResetEventSlim ready, CancellationToken stop)
    {
        var conf = Librdkafka.Configure(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = options.String("bootstrap"),
            ["client.id"] = "strom-load-consumer",
            ["fetch.wait.max.ms"] = options.String("fetch-wait-max-ms", "100"),
            ["fetch.min.bytes"] = "1",
            ["enable.partition.eof"] = "false",
        });
        var rk = Librdkafka.Create(Librdkafka.ConsumerType, conf);
        var rkt = Librdkafka.TopicNew(rk, topic, IntPtr.Zero);
        var queue = Librdkafka.QueueNew(rk);
        try
        {
            // Start at each partition's current end, asked for explicitly: with OFFSET_END the
            // position would resolve asynchronously and could skip the first records produced.
            for (var p = 0; p < partitions; p++)
            {
                var rc = Librdkafka.QueryWatermarkOffsets(rk, topic, p, out _, out var high, 10_000);
                if (rc != 0)
                {
                    throw new InvalidOperationException($"rd_kafka_query_watermark_offsets({topic}, {p}): {Librdkafka.ErrorName(rc)}");
                }
                if (Librdkafka.ConsumeStartQueue(rkt, p, high, queue) != 0)
                {
                    throw new InvalidOperationException($"rd_kafka_consume_start_queue({p}): {Librdkafka.ErrorName(Librdkafka.LastError())}");
                }
            }
            ready.Set();

            var tickToUs = 1_000_000.0 / Stopwatch.Frequency;
            var buffer = new List<long>(4096);
            string? lastError = null;
            while (!stop.IsCancellationRequested)
            {
                var message = Librdkafka.ConsumeQueue(queue, 100);
                if (message == null)
                {
                    continue;
                }
                if (message->Err != 0)
                {
                    var error = Librdkafka.ErrorName(message->Err);
                    if (error != lastError)
                    {
                        Console.Error.WriteLine($"consumer: {error}");
                        lastError = error;
                    }
                }
                else if (message->Length >= 8)
                {
                    var now = Stopwatch.GetTimestamp();
                    var sentAt = BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>((void*)message->Payload, 8));
                    Interlocked.Increment(ref consumed);
                    if (sentAt >= Volatile.Read(ref measureFrom))
                    {
                        buffer.Add((long)((now - sentAt) * tickToUs));
                        if (buffer.Count == buffer.Capacity)
                        {
                            lock (latenciesUs)
                            {
                                latenciesUs.AddRange(buffer);
                            }
                            buffer.Clear();
                        }
                    }
                }
                Librdkafka.MessageDestroy(message);
            }
            lock (latenciesUs)
            {
                latenciesUs.AddRange(buffer);
            }
            for (var p = 0; p < partitions; p++)
            {
                Librdkafka.ConsumeStop(rkt, p);
            }
        }
        finally
        {
            Librdkafka.QueueDestroy(queue);
            Librdkafka.TopicDestroy(rkt);
            Librdkafka.Destroy(rk);
        }
    }

    private static long Percentile(long[] sorted, double q) =>
        sorted.Length == 0 ? -1 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>Least-squares slope of the lag samples (records per second; samples are 1 s apart).</summary>
    private static double Slope(List<long> samples)
    {
        if (samples.Count < 2)
        {
            return 0;
        }
        double n = samples.Count, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            sx += i;
            sy += samples[i];
            sxx += (double)i * i;
            sxy += (double)i * samples[i];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
