using Strom.Client.Admin;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Client.Producer;
using Strom.Protocol.Records;
using StromTopicPartition = Strom.Client.TopicPartition;

namespace Strom.Interop.Tests;

/// <summary>
/// "Never loses an acknowledged record", end to end: a real <c>strom server</c> process takes
/// acks=all produce load (keys, headers, timestamps, self-describing values, 1 MiB segments so
/// segments roll and indexes are written) and is SIGKILLed while requests are in flight, after a
/// seeded random amount of acknowledged data. It restarts on the same directory and port; then
/// every acknowledged record must be at its acknowledged offset, byte for byte, offsets must be
/// contiguous from 0 to the high watermark, every segment file must end on a whole valid batch,
/// and the broker must take and serve new writes. An idempotent producer that keeps producing
/// through the kill must leave every record exactly once, in order.
/// </summary>
public class BrokerKillTests
{
    private const int Partitions = 4;
    private const int Window = 1000;
    private const long MiB = 1 << 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Acknowledged_records_survive_repeated_kills()
    {
        using var run = new KillRun("kill-acks", seed: 20_260_101);
        await run.StartAsync();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var random = new Random(run.Seed + cycle);
            await run.CycleAsync(random.Next(5, 16) * MiB, idempotent: false);
            await run.VerifyAsync($"after kill {cycle + 1}");
        }
    }

    [Fact]
    public async Task Acknowledged_records_survive_a_kill_with_flush_on_every_message()
    {
        using var run = new KillRun("kill-flush", seed: 77, new Dictionary<string, string> { ["log.flush.interval.messages"] = "1" });
        await run.StartAsync();
        await run.CycleAsync(new Random(run.Seed).Next(2, 5) * MiB, idempotent: false);
        await run.VerifyAsync("after the kill");
    }

    [Fact]
    public async Task Idempotent_producer_writes_each_record_once_through_kills()
    {
        using var run = new KillRun("kill-idempotent", seed: 4242);
        await run.StartAsync();
        var producer = run.NewProducer(idempotent: true);
        await using (producer)
        {
            var loop = new ProduceLoop(producer, run);
            for (var kill = 0; kill < 2; kill++)
            {
                await run.WaitForAckedBytesAsync(run.Ledger.AckedBytes + (new Random(run.Seed + kill).Next(3, 10) * MiB));
                await run.KillAndRestartAsync();
            }
            // Production went on through the restarts: wait for acknowledgements from the new broker.
            await run.WaitForAckedBytesAsync(run.Ledger.AckedBytes + MiB);
            await loop.StopAsync();
            await producer.FlushAsync().WaitAsync(Timeout);
        }

        Assert.True(run.Ledger.Failed == 0, $"{run.Ledger.Failed} records failed although the idempotent producer had time to retry them all");
        var log = await run.VerifyAsync("after two kills");
        Assert.Equal(run.NextSeq, run.Ledger.Acked.Count);
        var seen = new HashSet<long>();
        for (var p = 0; p < Partitions; p++)
        {
            long previous = -1;
            foreach (var seq in log[p])
            {
                Assert.True(seen.Add(seq), $"record {seq} is in the log twice (again at partition {p})");
                Assert.True(seq > previous, $"partition {p}: record {seq} follows record {previous}, out of production order");
                previous = seq;
            }
        }
        Assert.Equal(run.NextSeq, seen.Count);
    }

    /// <summary>One broker's data directory and port across kills, the produced records and what was acknowledged.</summary>
    private sealed class KillRun(string topic, int seed, IReadOnlyDictionary<string, string>? config = null) : IDisposable
    {
        private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "strom-kill-" + Guid.NewGuid().ToString("N")[..12]);
        private readonly int _port = StromServerProcess.FreePort();
        private StromServerProcess? _server;
        private long _nextSeq;

        public string Topic { get; } = topic;
        public int Seed { get; } = seed;
        public KillRecords Records { get; } = new(seed);
        public AckLedger Ledger { get; } = new();
        public long NextSeq => Interlocked.Read(ref _nextSeq);
        public string Bootstrap => $"127.0.0.1:{_port}";

        public long TakeSeq() => Interlocked.Increment(ref _nextSeq) - 1;

        public async Task StartAsync()
        {
            _server = await StromServerProcess.StartAsync(_dataDirectory, _port, config);
            await using var admin = new KafkaAdminClient(new ClientOptions { BootstrapServers = [Bootstrap] });
            await admin.CreateTopicsAsync([new NewTopic(Topic, Partitions, 1, new Dictionary<string, string> { ["segment.bytes"] = MiB.ToString() })]);
        }

        public KafkaProducer NewProducer(bool idempotent) => new(new ProducerOptions
        {
            Client = new ClientOptions { BootstrapServers = [Bootstrap], ClientId = $"{Topic}-producer", RetryBackoffMaxMs = 250 },
            Acks = -1,
            EnableIdempotence = idempotent,
            DeliveryTimeoutMs = idempotent ? 90_000 : 20_000,
        });

        /// <summary>Produces until a random amount of data is acknowledged, kills the broker mid-load, restarts it; the producer then settles.</summary>
        public async Task CycleAsync(long bytes, bool idempotent)
        {
            var producer = NewProducer(idempotent);
            await using (producer)
            {
                var loop = new ProduceLoop(producer, this);
                await WaitForAckedBytesAsync(Ledger.AckedBytes + bytes);
                _server!.Kill();
                await loop.StopAsync();
                await RestartAsync();
            }
            // New writes after the restart, all acknowledged.
            await using var fresh = NewProducer(idempotent);
            var deliveries = Enumerable.Range(0, 50).Select(_ => Produce(fresh)).ToList();
            await Task.WhenAll(deliveries).WaitAsync(Timeout);
        }

        public async Task KillAndRestartAsync()
        {
            _server!.Kill();
            await RestartAsync();
        }

        private async Task RestartAsync()
        {
            _server!.Dispose();
            _server = await StromServerProcess.StartAsync(_dataDirectory, _port, config);
        }

        /// <summary>Produces the next record and completes when it is acknowledged (recorded in the ledger).</summary>
        private async Task Produce(KafkaProducer producer)
        {
            var seq = TakeSeq();
            var (key, value, headers, timestamp) = Records.Create(seq);
            var result = await producer.ProduceAsync(Topic, key, value, headers, timestamp);
            Ledger.OnDelivery(seq, value.Length, result.Partition, result.Offset, null);
        }

        public async Task WaitForAckedBytesAsync(long bytes)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (Ledger.AckedBytes < bytes)
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"only {Ledger.AckedBytes} of {bytes} bytes acknowledged within {Timeout} ({Ledger.Failed} failed):\n{_server?.Describe()}");
                await Task.Delay(5);
            }
        }

        /// <summary>
        /// Reads every partition from 0 to its high watermark and checks it against the ledger and
        /// the generator; checks the segment files end on whole batches. Returns the seqs per partition in log order.
        /// </summary>
        public async Task<List<long>[]> VerifyAsync(string when)
        {
            Assert.Empty(Ledger.Problems);
            await using var consumer = new KafkaConsumer(new Dictionary<string, string>
            {
                ["bootstrap.servers"] = Bootstrap,
                ["auto.offset.reset"] = "earliest",
                ["enable.auto.commit"] = "false",
            });
            var high = new long[Partitions];
            for (var p = 0; p < Partitions; p++)
            {
                var (low, hw) = await consumer.QueryWatermarkOffsetsAsync(new StromTopicPartition(Topic, p)).WaitAsync(Timeout);
                Assert.True(low == 0, $"{when}: partition {p} starts at {low}, not 0");
                high[p] = hw;
            }
            consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new StromTopicPartition(Topic, p)));
            var log = Enumerable.Range(0, Partitions).Select(_ => new List<long>()).ToArray();
            var deadline = DateTime.UtcNow + Timeout;
            while (Enumerable.Range(0, Partitions).Any(p => log[p].Count < high[p]))
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"{when}: read {string.Join(", ", log.Select(l => l.Count))} records of {string.Join(", ", high)} within {Timeout}");
                if (await consumer.ConsumeAsync(TimeSpan.FromSeconds(1)) is not { } r || r.Offset >= high[r.Partition])
                {
                    continue;
                }
                Assert.True(r.Offset == log[r.Partition].Count,
                    $"{when}: partition {r.Partition} has offset {r.Offset} where {log[r.Partition].Count} was next: a hole or a repeat below the high watermark");
                var value = r.Value is { } v ? v.Span : default;
                var seq = KillRecords.SeqOf(value);
                Assert.True(seq >= 0 && seq < NextSeq, $"{when}: partition {r.Partition} offset {r.Offset} holds a record that was never produced (seq {seq})");
                var mismatch = Records.Mismatch(seq, r.Key is { } k ? k.Span : default, value, r.Headers, r.Timestamp);
                Assert.True(mismatch is null, $"{when}: partition {r.Partition} offset {r.Offset}, record {seq}: {mismatch}");
                log[r.Partition].Add(seq);
            }

            foreach (var (seq, (p, offset)) in Ledger.Acked)
            {
                Assert.True(offset < high[p], $"{when}: record {seq} was acknowledged at partition {p} offset {offset}, but the high watermark is {high[p]}");
                Assert.True(log[p][(int)offset] == seq,
                    $"{when}: record {seq} was acknowledged at partition {p} offset {offset}, which now holds record {log[p][(int)offset]}");
            }
            for (var p = 0; p < Partitions; p++)
            {
                CheckSegmentFiles(Path.Combine(_dataDirectory, $"{Topic}-{p}"), when);
            }
            return log;
        }

        /// <summary>Every .log file of the partition is a sequence of whole batches with valid CRCs, offsets rising across files.</summary>
        private static void CheckSegmentFiles(string directory, string when)
        {
            var files = Directory.GetFiles(directory, "*.log").Order(StringComparer.Ordinal).ToList();
            Assert.True(files.Count >= 1, $"{when}: no segment in {directory}");
            long next = 0;
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(file);
                for (var position = 0; position < bytes.Length;)
                {
                    var where = $"{when}: {Path.GetFileName(file)} at byte {position} of {bytes.Length}";
                    Assert.True(bytes.Length - position >= RecordBatchHeader.Size, $"{where}: a torn batch header");
                    var h = RecordBatchHeader.Parse(bytes.AsSpan(position));
                    Assert.True(h.Magic == 2 && h.BatchLength >= RecordBatchHeader.Size - RecordBatchHeader.LogOverhead && h.TotalSize <= bytes.Length - position,
                        $"{where}: a torn or invalid batch (length {h.BatchLength}, magic {h.Magic})");
                    Assert.True(RecordBatchHeader.IsCrcValid(bytes.AsSpan(position, h.TotalSize)), $"{where}: bad CRC");
                    Assert.True(h.BaseOffset == next, $"{where}: batch at offset {h.BaseOffset}, expected {next}");
                    next = h.NextOffset;
                    position += h.TotalSize;
                }
            }
        }

        public void Dispose()
        {
            _server?.Dispose();
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Produces records back to back on a background task, at most <see cref="Window"/> unacknowledged at a time.</summary>
    private sealed class ProduceLoop
    {
        private readonly SemaphoreSlim _window = new(Window);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public ProduceLoop(KafkaProducer producer, KillRun run) => _task = Task.Run(() => RunAsync(producer, run));

        private async Task RunAsync(KafkaProducer producer, KillRun run)
        {
            try
            {
                while (true)
                {
                    await _window.WaitAsync(_stop.Token);
                    var seq = run.TakeSeq();
                    var (key, value, headers, timestamp) = run.Records.Create(seq);
                    var bytes = value.Length;
                    producer.Produce(run.Topic, key, value, (result, error) =>
                    {
                        run.Ledger.OnDelivery(seq, bytes, result.Partition, result.Offset, error);
                        _window.Release();
                    }, headers, timestamp);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        /// <summary>Stops handing new records to the producer; those already given keep going.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _task;
        }
    }
}
