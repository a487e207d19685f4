using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Strom.Client;
using Strom.Client.Consumer;
using Strom.Client.Producer;

namespace Strom.Cli.Commands;

/// <summary>
/// <c>strom bench produce|consume|e2e</c>: load tests in the manner of kafka-producer-perf-test.
/// A progress line every second on stderr; the last line on stdout reads
/// <c>N records, R records/s, M MB/s, p50 A ms, p99 B ms, p99.9 C ms</c>. Latency is, for
/// produce, from the send call to the acknowledgement; for consume, how long each ConsumeAsync
/// waited for its record (the time the application waits on the network); for e2e, from the
/// send call to the record's arrival at a consumer in the same process.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliContext io)
    {
        var command = new Command("bench", "Measure produce, consume and end-to-end throughput and latency");
        command.Subcommands.Add(Build(io, "produce", "Produce records as fast as allowed and report throughput and acknowledgement latency"));
        command.Subcommands.Add(Build(io, "consume", "Consume records from the beginning of a topic and report throughput"));
        command.Subcommands.Add(Build(io, "e2e", "Produce and consume at once and report end-to-end latency"));
        return command;
    }

    private static Command Build(CliContext io, string mode, string description)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to use", Required = true };
        var count = new Option<long>("--num-records", "-n") { Description = "Number of records (default: 1000000)", DefaultValueFactory = _ => 1_000_000 };
        var size = new Option<int>("--record-size", "-s") { Description = "Value size in bytes (default: 1024)", DefaultValueFactory = _ => 1024 };
        var acks = new Option<string>("--acks") { Description = "0, 1 or all (default: 1)", DefaultValueFactory = _ => "1" };
        var throughput = new Option<long>("--throughput") { Description = "Records per second at most; -1 for no limit (default: -1)", DefaultValueFactory = _ => -1 };
        var timeout = new Option<int>("--timeout") { Description = "consume: give up after this many ms without a record (default: 10000)", DefaultValueFactory = _ => 10_000 };
        var command = new Command(mode, description) { topic, count, size, acks, throughput, timeout, bootstrap, properties };
        command.SetAction((parse, ct) => ClientCommandSupport.RunAsync(io, parse.GetValue(topic), async () =>
        {
            var n = parse.GetValue(count);
            var recordSize = parse.GetValue(size);
            if (n <= 0 || recordSize < 8)
            {
                throw new UsageException("--num-records must be positive and --record-size at least 8");
            }
            var config = ClientCommandSupport.Config(parse, bootstrap, properties);
            config["client.id"] = "strom-bench";
            config.TryAdd("acks", parse.GetValue(acks)!);
            config["allow.auto.create.topics"] = "true";
            var run = new BenchRun(io, n, recordSize);
            var name = parse.GetValue(topic)!;
            switch (mode)
            {
                case "produce":
                    await ProduceAsync(config, name, run, parse.GetValue(throughput), null, ct);
                    break;
                case "consume":
                    await ConsumeAsync(config, name, run, TimeSpan.FromMilliseconds(parse.GetValue(timeout)), ct);
                    break;
                default:
                    await EndToEndAsync(config, name, run, parse.GetValue(throughput), ct);
                    break;
            }
            await io.Out.WriteLineAsync(run.Summary());
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Sends through the callback API with at most about 64 MiB outstanding (the client has no
    /// buffer.memory limit of its own). Latency is from the record's timestamp (set at the send
    /// call) to its delivery callback, in whole milliseconds as kafka-producer-perf-test has it.
    /// </summary>
    private static async Task ProduceAsync(Dictionary<string, string> config, string topic, BenchRun run, long rate, Action<long>? sent, CancellationToken ct)
    {
        await using var producer = new KafkaProducer(config);
        var value = new byte[run.RecordSize];
        Random.Shared.NextBytes(value);
        var limit = Math.Clamp(64L * 1024 * 1024 / run.RecordSize, 100, 1_000_000);
        var outstanding = 0L;
        using var drained = new SemaphoreSlim(0);
        var clock = Stopwatch.StartNew();
        var measure = sent is null;
        Exception? failure = null;
        DeliveryHandler onDelivery = (result, error) =>
        {
            if (error is null)
            {
                run.Record(measure ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - result.Timestamp : null);
            }
            else
            {
                failure ??= error;
            }
            if (Interlocked.Decrement(ref outstanding) == limit / 2)
            {
                drained.Release();
            }
        };
        using var progress = run.StartProgress("sent");
        for (long i = 0; i < run.Count && failure is null; i++)
        {
            if (rate > 0 && i * 1000 / rate > clock.ElapsedMilliseconds)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, (i * 1000 / rate) - clock.ElapsedMilliseconds)), ct);
            }
            while (Interlocked.Read(ref outstanding) >= limit)
            {
                await drained.WaitAsync(100, ct);
            }
            var payload = value;
            if (!measure)
            {
                payload = (byte[])value.Clone();
                BitConverter.TryWriteBytes(payload, Stopwatch.GetTimestamp());
            }
            Interlocked.Increment(ref outstanding);
            producer.Produce(topic, null, payload, onDelivery, timestamp: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            sent?.Invoke(i);
        }
        await producer.FlushAsync(ct);
        if (failure is not null)
        {
            throw failure is KafkaException k ? k : new IOException(failure.Message, failure);
        }
        run.Finish();
    }

    private static async Task ConsumeAsync(Dictionary<string, string> config, string topic, BenchRun run, TimeSpan idle, CancellationToken ct)
    {
        await using var consumer = new KafkaConsumer(config);
        var partitions = await consumer.GetPartitionsAsync(topic, ct);
        consumer.Assign(partitions);
        await consumer.SeekToBeginningAsync(partitions, ct);
        using var progress = run.StartProgress("read");
        while (run.Done < run.Count)
        {
            var start = Stopwatch.GetTimestamp();
            var record = await consumer.ConsumeAsync(idle, ct)
                ?? throw new UsageException($"no record for {idle.TotalMilliseconds:0} ms after {run.Done} of {run.Count}: does '{topic}' hold that many?");
            run.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, (record.Value?.Length ?? 0) + (record.Key?.Length ?? 0));
        }
        run.Finish();
    }

    /// <summary>A consumer at the end of the topic, then the producer; each value carries its send time.</summary>
    private static async Task EndToEndAsync(Dictionary<string, string> config, string topic, BenchRun run, long rate, CancellationToken ct)
    {
        await using var consumer = new KafkaConsumer(new Dictionary<string, string>(config) { ["fetch.max.wait.ms"] = "100" });
        await using (var admin = new Strom.Client.Admin.KafkaAdminClient(config))
        {
            await admin.Cluster.GetTopicAsync(topic, allowAutoCreate: true, cancellationToken: ct);
        }
        var partitions = await consumer.GetPartitionsAsync(topic, ct);
        consumer.Assign(partitions);
        await consumer.SeekToEndAsync(partitions, ct);
        var producing = Task.Run(() => ProduceAsync(config, topic, new BenchRun(null, run.Count, run.RecordSize), rate, _ => { }, ct), ct);
        using var progress = run.StartProgress("received");
        while (run.Done < run.Count)
        {
            var record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(30), ct);
            if (record is null)
            {
                await producing;
                throw new UsageException($"records stopped arriving after {run.Done} of {run.Count}");
            }
            var sentAt = BitConverter.ToInt64(record.Value!.Value.Span);
            run.Record(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
        }
        run.Finish();
        await producing;
    }

    /// <summary>Counts, bytes and latencies of one run, and its progress line.</summary>
    private sealed class BenchRun(CliContext? io, long count, int recordSize)
    {
        private readonly object _lock = new();
        private readonly List<float> _latencies = new((int)Math.Min(count, 10_000_000));
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done;
        private long _bytes;
        private double _elapsed;

        public long Count => count;
        public int RecordSize => recordSize;
        public long Done => Interlocked.Read(ref _done);

        public void Record(double? latencyMs, int bytes = -1)
        {
            lock (_lock)
            {
                if (latencyMs is { } ms && _latencies.Count < 10_000_000)
                {
                    _latencies.Add((float)ms);
                }
                _bytes += bytes < 0 ? recordSize : bytes;
                _done++;
            }
        }

        public void Finish() => _elapsed = _clock.Elapsed.TotalSeconds;

        public IDisposable StartProgress(string verb)
        {
            if (io is null)
            {
                return new Timer(_ => { });
            }
            var last = (Done: 0L, At: 0.0);
            return new Timer(_ =>
            {
                var (done, at) = (Done, _clock.Elapsed.TotalSeconds);
                var rate = (done - last.Done) / Math.Max(at - last.At, 1e-3);
                last = (done, at);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{done} records {verb}, {rate:0.0} records/s, {rate * recordSize / (1024 * 1024):0.0} MB/s ({100.0 * done / count:0}%)");
                io.Error.Write(io.Interactive ? "\r" + line + "   " : line + Environment.NewLine);
                io.Error.Flush();
            }, null, 1000, 1000);
        }

        public string Summary()
        {
            float[] sorted;
            lock (_lock)
            {
                sorted = [.. _latencies];
            }
            Array.Sort(sorted);
            var seconds = _elapsed > 0 ? _elapsed : _clock.Elapsed.TotalSeconds;
            if (io is { Interactive: true })
            {
                io.Error.WriteLine();
            }
            return string.Create(CultureInfo.InvariantCulture,
                $"{Done} records, {Done / seconds:0.0} records/s, {_bytes / seconds / (1024 * 1024):0.0} MB/s, p50 {Percentile(sorted, 0.50):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms, p99.9 {Percentile(sorted, 0.999):0.0} ms");
        }

        private static double Percentile(float[] sorted, double p) =>
            sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}
