using Strom.Client.Admin;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Protocol.Records;
using Xunit.Abstractions;
using StromTopicPartition = Strom.Client.TopicPartition;

namespace Strom.Interop.Tests;

/// <summary>
/// One broker process for the broker-kill tests: its data directory and port across kills, the
/// records produced (seq by seq) and what the producers were told. <see cref="VerifyAsync"/> holds
/// the checks that make "never loses an acknowledged record" concrete.
/// </summary>
internal sealed class KillRun(string topic, int seed, ITestOutputHelper output, IReadOnlyDictionary<string, string>? config = null) : IDisposable
{
    public const int Partitions = 4;
    public const long MiB = 1 << 20;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

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
    public string DataDirectory => _dataDirectory;

    public long TakeSeq() => Interlocked.Increment(ref _nextSeq) - 1;

    /// <summary>Starts the broker and creates the topic: four partitions, 1 MiB segments.</summary>
    public async Task StartAsync()
    {
        _server = await StromServerProcess.StartAsync(_dataDirectory, _port, config);
        await using var admin = new KafkaAdminClient(new ClientOptions { BootstrapServers = [Bootstrap] });
        await admin.CreateTopicsAsync([new NewTopic(Topic, Partitions, 1, new Dictionary<string, string> { ["segment.bytes"] = MiB.ToString() })]);
    }

    public ProduceLoop StartLoop(ILoadProducer producer, int window = 1000) => new(producer, TakeSeq, Ledger, window);

    /// <summary>
    /// One cycle: produce until <paramref name="bytes"/> more are acknowledged, SIGKILL the broker
    /// with requests in flight, restart; the producer then settles its records against the new
    /// broker. With <paramref name="tearTails"/> the producer instead gives up on its records while
    /// the broker is down (so nothing writes after the restart), the partitions' tails are torn as
    /// a crash mid-write would leave them, and the segment files are checked as recovery left them.
    /// Then 50 new records, each awaited.
    /// </summary>
    public async Task CycleAsync(long bytes, Func<ILoadProducer> newProducer, bool tearTails = false)
    {
        var producer = newProducer();
        await using (producer)
        {
            using var loop = StartLoop(producer);
            await WaitForAckedBytesAsync(Ledger.AckedBytes + bytes);
            var inFlight = loop.Outstanding;
            _server!.Kill();
            await loop.StopAsync();
            output.WriteLine($"{Topic}: killed at {Ledger.AckedBytes / MiB} MiB acknowledged with {inFlight} records in flight");
            if (tearTails)
            {
                await producer.DisposeAsync();
                TearTails();
                await RestartAsync();
                for (var p = 0; p < Partitions; p++)
                {
                    CheckSegmentFiles(Path.Combine(_dataDirectory, $"{Topic}-{p}"), "right after recovering from torn tails");
                }
            }
            else
            {
                await RestartAsync();
                await producer.FlushAsync(Timeout);
            }
        }
        await using var fresh = newProducer();
        var settled = new TaskCompletionSource();
        var pending = 50;
        var failed = 0;
        for (var i = 0; i < 50; i++)
        {
            var seq = TakeSeq();
            var size = 0;
            size = fresh.Produce(seq, (partition, offset, error) =>
            {
                Ledger.OnDelivery(seq, Volatile.Read(ref size), partition, offset, error);
                if (error is not null)
                {
                    Interlocked.Increment(ref failed);
                }
                if (Interlocked.Decrement(ref pending) == 0)
                {
                    settled.SetResult();
                }
            });
        }
        await fresh.FlushAsync(Timeout);
        await settled.Task.WaitAsync(Timeout);
        Assert.True(failed == 0, $"{failed} of 50 records produced after the restart failed");
    }

    /// <summary>SIGKILL, then a restart with the run's config plus <paramref name="restartConfig"/> (for this start only).</summary>
    public async Task KillAndRestartAsync(IReadOnlyDictionary<string, string>? restartConfig = null)
    {
        _server!.Kill();
        output.WriteLine($"{Topic}: killed at {Ledger.AckedBytes / MiB} MiB acknowledged");
        await RestartAsync(restartConfig);
    }

    /// <summary>
    /// Kills the broker, then starts it and kills it again after each of <paramref name="delaysMs"/>
    /// (while it loads and recovers the logs), then starts it for good.
    /// </summary>
    public async Task KillDuringStartupsAsync(IEnumerable<int> delaysMs)
    {
        _server!.Kill();
        foreach (var delay in delaysMs)
        {
            _server.Dispose();
            _server = StromServerProcess.Launch(_dataDirectory, _port, config);
            await Task.Delay(delay);
            _server.Kill();
            output.WriteLine($"{Topic}: killed {delay} ms into a start");
        }
        await RestartAsync();
    }

    /// <summary>SIGKILL only (the caller restarts with <see cref="RestartAsync"/>).</summary>
    public void Kill() => _server!.Kill();

    /// <summary>Starts the broker again on the same directory and port (after <see cref="Kill"/>).</summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string>? restartConfig = null)
    {
        _server!.Dispose();
        var merged = new Dictionary<string, string>(config ?? new Dictionary<string, string>());
        foreach (var (key, value) in restartConfig ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }
        _server = await StromServerProcess.StartAsync(_dataDirectory, _port, merged);
    }

    public async Task WaitForAckedBytesAsync(long bytes)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (Ledger.AckedBytes < bytes)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"only {Ledger.AckedBytes} of {bytes} bytes acknowledged within {Timeout} ({Ledger.Failed} failed):\n{_server?.Describe()}");
            await Task.Delay(2);
        }
    }

    /// <summary>
    /// What a crash in the middle of a write leaves at the end of the active segment (the broker is
    /// dead): partition 0 the first half of a batch, partition 1 a run of zeros (a file extended
    /// but never written), partition 2 a whole batch with the next offset and a flipped byte.
    /// Recovery must cut all three.
    /// </summary>
    private void TearTails()
    {
        for (var p = 0; p < 3; p++)
        {
            var files = Directory.GetFiles(Path.Combine(_dataDirectory, $"{Topic}-{p}"), "*.log").Order(StringComparer.Ordinal).ToList();
            var (last, next) = files.Select(LastBatch).LastOrDefault(b => b.Batch.Length > 0);
            Assert.True(last is { Length: > 0 }, $"partition {p} has no batch to tear");
            using var file = new FileStream(files[^1], FileMode.Append, FileAccess.Write);
            if (p == 0)
            {
                file.Write(last, 0, last.Length / 2);
            }
            else if (p == 1)
            {
                file.Write(new byte[4096]);
            }
            else
            {
                RecordBatchHeader.SetBaseOffset(last, next);
                last[^1] ^= 0x5A;
                file.Write(last);
            }
        }
    }

    /// <summary>The last whole batch of a segment file and the offset after it (empty when none).</summary>
    private static (byte[] Batch, long NextOffset) LastBatch(string path)
    {
        var bytes = File.ReadAllBytes(path);
        (int Position, int Size, long Next) last = (0, 0, 0);
        for (var position = 0; bytes.Length - position >= RecordBatchHeader.Size;)
        {
            var h = RecordBatchHeader.Parse(bytes.AsSpan(position));
            if (h.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || h.TotalSize > bytes.Length - position)
            {
                break;
            }
            last = (position, h.TotalSize, h.NextOffset);
            position += h.TotalSize;
        }
        return (bytes.AsSpan(last.Position, last.Size).ToArray(), last.Next);
    }

    /// <summary>
    /// Reads every partition from 0 to its high watermark: offsets contiguous, every record one that
    /// was produced, byte for byte (key, value, headers, timestamp); every acknowledged record at its
    /// acknowledged offset; every segment file whole batches with valid CRCs. Returns the seqs per
    /// partition in log order.
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
        await RandomReadsAsync(consumer, log, when);
        var segments = 0;
        for (var p = 0; p < Partitions; p++)
        {
            segments += CheckSegmentFiles(Path.Combine(_dataDirectory, $"{Topic}-{p}"), when);
        }
        output.WriteLine($"{Topic} {when}: {NextSeq} produced, {Ledger.Acked.Count} acknowledged ({Ledger.AckedBytes / MiB} MiB), " +
            $"{Ledger.Failed} failed, {log.Sum(l => l.Count)} in the log ({string.Join(", ", high)}), {segments} segments");
        return log;
    }

    /// <summary>
    /// Fetches from seeded random offsets (through the offset indexes rebuilt or reloaded after the
    /// kill): the first record returned for each partition must be the one at that offset.
    /// </summary>
    private async Task RandomReadsAsync(KafkaConsumer consumer, List<long>[] log, string when)
    {
        var random = new Random(Seed + log.Sum(l => l.Count));
        for (var round = 0; round < 8; round++)
        {
            var targets = new long[Partitions];
            for (var p = 0; p < Partitions; p++)
            {
                targets[p] = random.NextInt64(log[p].Count);
                consumer.Seek(new StromTopicPartition(Topic, p), targets[p]);
            }
            var found = new bool[Partitions];
            var deadline = DateTime.UtcNow + Timeout;
            while (found.Contains(false))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{when}: no record from offsets {string.Join(", ", targets)} within {Timeout}");
                if (await consumer.ConsumeAsync(TimeSpan.FromSeconds(1)) is not { } r || found[r.Partition])
                {
                    continue;
                }
                var p = r.Partition;
                Assert.True(r.Offset == targets[p], $"{when}: partition {p} read from offset {targets[p]} returned offset {r.Offset} first");
                Assert.True(KillRecords.SeqOf(r.Value is { } v ? v.Span : default) == log[p][(int)r.Offset],
                    $"{when}: partition {p} offset {r.Offset} read at random holds another record than read in order");
                found[p] = true;
            }
        }
    }

    /// <summary>Every .log file of the partition is a sequence of whole batches with valid CRCs, offsets contiguous across files.</summary>
    private static int CheckSegmentFiles(string directory, string when)
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
        return files.Count;
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
