using Strom.Protocol.Records;
using Xunit.Abstractions;
using static Strom.Interop.Tests.KillRun;

namespace Strom.Interop.Tests;

/// <summary>
/// "Never loses an acknowledged record", end to end: a real <c>strom server</c> process takes
/// acks=all produce load (keys, headers, timestamps, self-describing values, 1 MiB segments so
/// segments roll and indexes are written) and is SIGKILLed while requests are in flight, after a
/// seeded random amount of acknowledged data. It restarts on the same directory and port; then
/// every acknowledged record must be at its acknowledged offset, byte for byte, offsets must be
/// contiguous from 0 to the high watermark, every segment file must end on a whole valid batch,
/// and the broker must take and serve new writes (see <see cref="KillRun.VerifyAsync"/>). An
/// idempotent producer that keeps producing through kills must leave every record exactly once,
/// in order.
/// </summary>
public class BrokerKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Acknowledged_records_survive_repeated_kills()
    {
        using var run = new KillRun("kill-acks", seed: 20_260_101, output);
        await run.StartAsync();
        CompressionType[] codecs = [CompressionType.None, CompressionType.Lz4, CompressionType.Zstd];
        for (var cycle = 0; cycle < codecs.Length; cycle++)
        {
            var bytes = new Random(run.Seed + cycle).Next(5, 51) * MiB;
            var codec = codecs[cycle];
            // The second kill also leaves torn writes at the partitions' tails; its producer gives up
            // on its unacknowledged records within 3 s, while the broker is down.
            var torn = cycle == 1;
            await run.CycleAsync(bytes, () => new StromLoadProducer(run.Bootstrap, run.Topic, run.Records, idempotent: false, codec, torn ? 3000 : 20_000), torn);
            await run.VerifyAsync($"after kill {cycle + 1} ({codec}, {bytes / MiB} MiB)");
        }
        // Killed again while starting up (loading, recovering, writing checkpoints), it must still start.
        var startup = new Random(run.Seed);
        await run.KillDuringStartupsAsync([startup.Next(200, 1500), startup.Next(200, 1500), startup.Next(200, 1500)]);
        await run.VerifyAsync("after kills during startup");
    }

    [Fact]
    public async Task Acknowledged_records_survive_a_kill_with_flush_on_every_message()
    {
        using var run = new KillRun("kill-flush", seed: 77, output, new Dictionary<string, string> { ["log.flush.interval.messages"] = "1" });
        await run.StartAsync();
        var bytes = new Random(run.Seed).Next(2, 9) * MiB;
        await run.CycleAsync(bytes, () => new StromLoadProducer(run.Bootstrap, run.Topic, run.Records, idempotent: false, CompressionType.None));
        await run.VerifyAsync($"after the kill ({bytes / MiB} MiB)");
    }

    [Fact]
    public async Task Idempotent_strom_producer_writes_each_record_once_through_kills() =>
        await IdempotentThroughKillsAsync("kill-idempotent-strom", 4242, run => new StromLoadProducer(run.Bootstrap, run.Topic, run.Records, idempotent: true, CompressionType.Lz4));

    [Fact]
    public async Task Idempotent_librdkafka_producer_writes_each_record_once_through_kills() =>
        await IdempotentThroughKillsAsync("kill-idempotent-rdkafka", 4343, run => new RdkafkaLoadProducer(run.Bootstrap, run.Topic, run.Records, idempotent: true));

    /// <summary>
    /// One idempotent producer keeps producing while the broker is killed four times and
    /// restarted. Every record must be acknowledged, and be in the log exactly once, in
    /// production order. The first and last kills are under the default flush policy; the second
    /// and third (soon after a restart) under log.flush.interval.messages=1, whose fsync between
    /// append and acknowledgement makes it likely that a kill lands on a batch written but not
    /// acknowledged, whose retry the restarted broker must recognise from the producer state it
    /// rebuilt (snapshot plus log).
    /// </summary>
    private async Task IdempotentThroughKillsAsync(string topic, int seed, Func<KillRun, ILoadProducer> newProducer)
    {
        using var run = new KillRun(topic, seed, output);
        await run.StartAsync();
        var producer = newProducer(run);
        await using (producer)
        {
            using var loop = run.StartLoop(producer);
            await run.WaitForAckedBytesAsync(run.Ledger.AckedBytes + (new Random(seed).Next(5, 26) * MiB));
            var flushEach = new Dictionary<string, string> { ["log.flush.interval.messages"] = "1" };
            await run.KillAndRestartAsync(flushEach);
            foreach (var more in (long[])[MiB, MiB / 4, MiB])
            {
                await run.WaitForAckedBytesAsync(run.Ledger.AckedBytes + more);
                await run.KillAndRestartAsync(more == MiB ? flushEach : null);
            }
            await run.WaitForAckedBytesAsync(run.Ledger.AckedBytes + MiB);
            await loop.StopAsync();
            await producer.FlushAsync(KillRun.Timeout);
        }

        Assert.True(run.Ledger.Failed == 0, $"{run.Ledger.Failed} records failed although the idempotent producer had time to retry them all");
        var log = await run.VerifyAsync("after four kills");
        Assert.Equal(run.NextSeq, run.Ledger.Acked.Count);
        var seen = new HashSet<long>();
        for (var p = 0; p < Partitions; p++)
        {
            long previous = -1;
            foreach (var seq in log[p])
            {
                Assert.True(seen.Add(seq), $"record {seq} is in the log twice (again in partition {p})");
                Assert.True(seq > previous, $"partition {p}: record {seq} follows record {previous}, out of production order");
                previous = seq;
            }
        }
        Assert.Equal(run.NextSeq, seen.Count);
    }
}
