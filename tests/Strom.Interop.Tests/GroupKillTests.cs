using System.Collections.Concurrent;
using Confluent.Kafka;
using Strom.Client.Admin;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Client.Producer;
using Strom.Protocol.Records;
using Xunit.Abstractions;
using static Strom.Interop.Tests.KillRun;
using StromTopicPartition = Strom.Client.TopicPartition;

namespace Strom.Interop.Tests;

/// <summary>
/// Consumer-group state through SIGKILLs of a real <c>strom server</c>: committed offsets and
/// group metadata live in the compacted __consumer_offsets topic and are replayed at start. The
/// broker runs with 4 KiB __consumer_offsets segments and an eager cleaner (no tombstone
/// retention), so the topic rolls and is compacted while the groups work; the tests check that
/// it was.
/// </summary>
public class GroupKillTests(ITestOutputHelper output)
{
    private const int PerPartition = 2000;

    /// <summary>Small __consumer_offsets segments, one partition for every group, a cleaner that runs every 100 ms and drops tombstones at once.</summary>
    private static readonly Dictionary<string, string> BrokerConfig = new()
    {
        ["offsets.topic.num.partitions"] = "1",
        ["offsets.topic.segment.bytes"] = "4096",
        ["log.cleaner.backoff.ms"] = "100",
        ["log.cleaner.min.cleanable.ratio"] = "0.01",
        ["log.cleaner.delete.retention.ms"] = "0",
        ["group.initial.rebalance.delay.ms"] = "200",
        ["group.min.session.timeout.ms"] = "1000",
    };

    private const string OffsetsLog = "__consumer_offsets-0";

    /// <summary>
    /// Two consumers read a pre-produced topic and commit synchronously; the broker is killed
    /// three times at seeded numbers of acknowledged commits. After each restart OffsetFetch must
    /// return, per partition, the last acknowledged commit (or a later commit that was in flight),
    /// never less and never an offset nobody committed; new consumers rejoin the group and must
    /// start from those offsets. At the end every record has been read, and once everyone left,
    /// the group is Empty with its offsets, also after one more kill.
    /// </summary>
    [Fact]
    public async Task Committed_offsets_survive_kills_and_consumers_resume_from_them()
    {
        const string group = "gk-commits";
        using var run = new KillRun("gk-commits", seed: 9091, output, BrokerConfig);
        await run.StartAsync();
        await FillAsync(run);
        var ledger = new CommitLedger();
        var reads = new ConcurrentQueue<(int Phase, int Partition, long Offset)>();
        void OnRead(int phase, int partition, long offset) => reads.Enqueue((phase, partition, offset));
        var resumeFrom = new Dictionary<int, long>();
        var random = new Random(run.Seed);

        for (var cycle = 0; cycle < 3; cycle++)
        {
            var consumers = new[]
            {
                new CommittingConsumer(run.Bootstrap, group, run.Topic, ledger, commitEvery: 7 + cycle, delayMs: 1),
                new CommittingConsumer(run.Bootstrap, group, run.Topic, ledger, commitEvery: 11, delayMs: 1),
            };
            foreach (var c in consumers)
            {
                c.Start(cycle, OnRead);
            }
            var target = ledger.AckedCommits + random.Next(15, 60);
            await WaitUntilAsync(() => ledger.AckedCommits >= target, $"cycle {cycle}: {target} acknowledged commits");
            run.Kill();
            await Task.WhenAll(consumers.Select(c => c.StopAsync()));
            Assert.Empty(ledger.Problems);
            CheckResumed(reads, cycle, resumeFrom);
            output.WriteLine($"kill {cycle + 1}: after {ledger.AckedCommits} acknowledged commits ({ledger.UnsettledCount} partitions with a commit cut off), {reads.Count} reads");
            await run.RestartAsync();

            var fetched = await FetchAsync(run, group);
            ledger.Check(fetched, $"after kill {cycle + 1}");
            resumeFrom = fetched;
            // The old members leave the restored group; the next cycle's consumers join it.
            foreach (var c in consumers)
            {
                await c.DisposeAsync();
            }
        }

        // Everyone reads to the end and leaves.
        var last = new[]
        {
            new CommittingConsumer(run.Bootstrap, group, run.Topic, ledger, commitEvery: 50, delayMs: 0),
            new CommittingConsumer(run.Bootstrap, group, run.Topic, ledger, commitEvery: 50, delayMs: 0),
        };
        foreach (var c in last)
        {
            c.Start(3, OnRead);
        }
        await WaitUntilAsync(() => Enumerable.Range(0, Partitions).All(p => ledger.LastAcked(p) == PerPartition), "every partition committed at its end");
        foreach (var c in last)
        {
            await c.StopAsync();
            await c.CommitRemainingAsync();
            await c.DisposeAsync();
        }
        CheckResumed(reads, 3, resumeFrom);
        Assert.Empty(ledger.Problems);
        var read = reads.Select(r => (r.Partition, r.Offset)).ToHashSet();
        for (var p = 0; p < Partitions; p++)
        {
            var missing = Enumerable.Range(0, PerPartition).Where(o => !read.Contains((p, o))).ToList();
            Assert.True(missing.Count == 0, $"partition {p}: {missing.Count} records never read, the first at offset {missing.FirstOrDefault()}");
            Assert.Equal(PerPartition, ledger.LastAcked(p));
        }

        await WaitUntilAsync(() => CompactedAway(run) > 0, "the cleaner compacting __consumer_offsets");
        run.Kill();
        await run.RestartAsync();
        ledger.Check(await FetchAsync(run, group), "after the kill with the group empty");
        await using (var admin = Admin(run))
        {
            Assert.Equal("Empty", (await admin.DescribeGroupAsync(group)).State);
        }
        // Killed again while it starts up (and replays __consumer_offsets), it must still come back with the group.
        var startup = new Random(run.Seed);
        await run.KillDuringStartupsAsync([startup.Next(300, 1500), startup.Next(300, 1500)]);
        ledger.Check(await FetchAsync(run, group), "after kills during startup");
        await using (var admin = Admin(run))
        {
            Assert.Equal("Empty", (await admin.DescribeGroupAsync(group)).State);
        }
        output.WriteLine($"{reads.Count} reads of {Partitions * PerPartition} records; {CompactedAway(run)} __consumer_offsets records compacted away; " +
            $"{Directory.GetFiles(Path.Combine(run.DataDirectory, OffsetsLog), "*.log").Length} segments");
    }

    /// <summary>
    /// The same consumers (one Strom.Client, one librdkafka) keep running while the broker is
    /// killed twice and restarts: they reconnect to the group restored from __consumer_offsets
    /// (or rejoin it) and go on committing. No record below a partition's last acknowledged commit at a kill is read
    /// again after it, commits stay monotonic, every record is read, and the group ends with
    /// every partition committed at its end.
    /// </summary>
    [Fact]
    public async Task Consumers_that_keep_running_through_kills_resume_from_their_commits()
    {
        const string group = "gk-through";
        using var run = new KillRun("gk-through", seed: 3131, output, BrokerConfig);
        await run.StartAsync();
        await FillAsync(run);
        var ledger = new CommitLedger();
        var reads = new ConcurrentQueue<(int Phase, int Partition, long Offset)>();
        var phase = 0;
        ICommittingConsumer[] consumers =
        [
            new CommittingConsumer(run.Bootstrap, group, run.Topic, ledger, commitEvery: 9, delayMs: 1),
            new RdkafkaCommittingConsumer(run.Bootstrap, group, run.Topic, ledger, commitEvery: 13, delayMs: 1),
        ];
        foreach (var c in consumers)
        {
            c.Start(0, (_, p, o) => reads.Enqueue((Volatile.Read(ref phase), p, o)));
        }
        var random = new Random(run.Seed);
        var ackedAtKill = new List<Dictionary<int, long>>();
        for (var kill = 1; kill <= 2; kill++)
        {
            var target = ledger.AckedCommits + random.Next(20, 60);
            await WaitUntilAsync(() => ledger.AckedCommits >= target, $"{target} acknowledged commits");
            run.Kill();
            ackedAtKill.Add(Enumerable.Range(0, Partitions).ToDictionary(p => p, p => ledger.LastAcked(p) ?? 0));
            Volatile.Write(ref phase, kill);
            await run.RestartAsync();
            var before = ledger.AckedCommits;
            await WaitUntilAsync(() => ledger.AckedCommits >= before + 10, $"commits after restart {kill}");
            output.WriteLine($"kill {kill}: at {string.Join(", ", ackedAtKill[^1].Values)} committed; commits flow again");
        }
        await WaitUntilAsync(() => Enumerable.Range(0, Partitions).All(p => ledger.LastAcked(p) == PerPartition), "every partition committed at its end");
        foreach (var c in consumers)
        {
            await c.StopAsync();
            await c.CommitRemainingAsync();
            await c.DisposeAsync();
        }
        Assert.Empty(ledger.Problems);
        for (var kill = 1; kill <= ackedAtKill.Count; kill++)
        {
            foreach (var (_, p, o) in reads.Where(r => r.Phase >= kill))
            {
                Assert.True(o >= ackedAtKill[kill - 1][p], $"partition {p} offset {o} was read again after kill {kill}, below the acknowledged commit {ackedAtKill[kill - 1][p]}");
            }
        }
        var read = reads.Select(r => (r.Partition, r.Offset)).ToHashSet();
        Assert.Equal(Partitions * PerPartition, read.Count(r => r.Offset < PerPartition));
        var fetched = await FetchAsync(run, group);
        ledger.Check(fetched, "at the end");
        Assert.All(Enumerable.Range(0, Partitions), p => Assert.Equal(PerPartition, fetched.GetValueOrDefault(p)));
        output.WriteLine($"{reads.Count} reads of {Partitions * PerPartition} records");
    }

    /// <summary>
    /// DeleteGroups and OffsetDelete tombstones written before a kill stay in force after the
    /// restart, also once the cleaner has compacted the tombstones away; a group whose members
    /// all left is Empty with its offsets. Checked after three kills: right after the deletes
    /// (tombstones replayed), then twice while filler commits roll segments and the cleaner runs
    /// over the tombstones (values and tombstones compacted away).
    /// </summary>
    [Fact]
    public async Task Deleted_groups_and_offsets_stay_deleted_after_kills()
    {
        using var run = new KillRun("gk-deletes", seed: 5150, output, BrokerConfig);
        await run.StartAsync();
        const string other = "gk-deletes-other";
        await using var admin = Admin(run);
        await admin.CreateTopicsAsync([new NewTopic(other, 2, 1)]);
        await FillAsync(run);
        var all = Enumerable.Range(0, Partitions).Select(p => new StromTopicPartition(run.Topic, p)).ToList();
        var others = Enumerable.Range(0, 2).Select(p => new StromTopicPartition(other, p)).ToList();
        Dictionary<StromTopicPartition, OffsetAndMetadata> Offsets(IEnumerable<StromTopicPartition> tps, long at) =>
            tps.ToDictionary(tp => tp, tp => new OffsetAndMetadata(at + tp.Partition));

        // Committed early, so the values sit in older segments than the tombstones.
        await admin.AlterGroupOffsetsAsync("gk-deleted", Offsets(all.Concat(others), 10));
        await admin.AlterGroupOffsetsAsync("gk-pruned", Offsets(all.Concat(others), 20));
        var filler = new Filler(run, output);
        await filler.CommitAsync(200);
        // Committed again after the first tombstones' group was deleted once: a group id can come back.
        await admin.AlterGroupOffsetsAsync("gk-reborn", Offsets(all, 30));
        await admin.DeleteGroupsAsync(["gk-reborn"]);
        await admin.AlterGroupOffsetsAsync("gk-reborn", Offsets(others, 40));

        // A group whose members all left.
        var ledger = new CommitLedger();
        var reads = new ConcurrentQueue<int>();
        var members = new[]
        {
            new CommittingConsumer(run.Bootstrap, "gk-left", run.Topic, ledger, commitEvery: 5, delayMs: 0),
            new CommittingConsumer(run.Bootstrap, "gk-left", run.Topic, ledger, commitEvery: 5, delayMs: 0),
        };
        foreach (var m in members)
        {
            m.Start(0, (_, _, _) => reads.Enqueue(0));
        }
        await WaitUntilAsync(() => ledger.AckedCommits >= 20, "20 commits in group gk-left");
        foreach (var m in members)
        {
            await m.StopAsync();
            await m.CommitRemainingAsync();
            await m.DisposeAsync();
        }
        Assert.Equal("Empty", (await admin.DescribeGroupAsync("gk-left")).State);
        var left = await FetchAsync(run, "gk-left");

        await admin.DeleteGroupsAsync(["gk-deleted"]);
        using (var rdkafka = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = run.Bootstrap }).Build())
        {
            var result = await rdkafka.DeleteConsumerGroupOffsetsAsync("gk-pruned", others.Select(tp => new Confluent.Kafka.TopicPartition(tp.Topic, tp.Partition)));
            Assert.Equal(2, result.Partitions.Count);
        }
        var random = new Random(run.Seed);
        for (var kill = 1; kill <= 3; kill++)
        {
            if (kill == 1)
            {
                // Right after the deletes: their tombstones are still in the log and must be replayed.
                run.Kill();
                await run.RestartAsync();
            }
            else
            {
                // Killed while filler commits flow and the cleaner compacts what the deletes left.
                await filler.KillWhileCommittingAsync(random.Next(100, 250));
            }
            var when = $"after kill {kill}";
            var groups = (await admin.ListGroupsAsync()).ToDictionary(g => g.GroupId, g => g.State);
            Assert.False(groups.ContainsKey("gk-deleted"), $"{when}: the deleted group gk-deleted is listed again ({groups.GetValueOrDefault("gk-deleted")})");
            Assert.Equal("Dead", (await admin.DescribeGroupAsync("gk-deleted")).State);
            Assert.Empty(await admin.ListGroupOffsetsAsync("gk-deleted"));

            var pruned = await admin.ListGroupOffsetsAsync("gk-pruned");
            Assert.Equal(all.ToDictionary(tp => tp, tp => 20L + tp.Partition), pruned.ToDictionary(kv => kv.Key, kv => kv.Value.Offset));

            var reborn = await admin.ListGroupOffsetsAsync("gk-reborn");
            Assert.Equal(others.ToDictionary(tp => tp, tp => 40L + tp.Partition), reborn.ToDictionary(kv => kv.Key, kv => kv.Value.Offset));

            Assert.Equal("Empty", groups.GetValueOrDefault("gk-left"));
            Assert.Equal("Empty", (await admin.DescribeGroupAsync("gk-left")).State);
            Assert.Equal(left, await FetchAsync(run, "gk-left"));
            ledger.Check(left, when);

            filler.Ledger.Check(await FetchAsync(run, Filler.Group), when);
        }
        output.WriteLine($"{CompactedAway(run)} __consumer_offsets records compacted away");
    }

    /// <summary>Produces <see cref="PerPartition"/> small records to every partition of the run's topic.</summary>
    private static async Task FillAsync(KillRun run)
    {
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = run.Bootstrap, ["linger.ms"] = "5" });
        var sends = new List<Task<DeliveryResult>>();
        for (var p = 0; p < Partitions; p++)
        {
            for (var i = 0; i < PerPartition; i++)
            {
                sends.Add(producer.ProduceAsync(run.Topic, (byte[]?)null, BitConverter.GetBytes(i), partition: p));
            }
        }
        await Task.WhenAll(sends).WaitAsync(KillRun.Timeout);
    }

    /// <summary>
    /// Commits of group gk-filler (AlterGroupOffsets of every partition of the run's topic, offsets
    /// rising by one each time) that roll the 4 KiB __consumer_offsets segments and give the
    /// cleaner work, recorded in a <see cref="CommitLedger"/>.
    /// </summary>
    private sealed class Filler(KillRun run, ITestOutputHelper output)
    {
        public const string Group = "gk-filler";

        private long _next;

        public CommitLedger Ledger { get; } = new();

        /// <summary><paramref name="count"/> commits, each awaited.</summary>
        public async Task CommitAsync(int count)
        {
            var target = Ledger.AckedCommits + count;
            await RunAsync(() => Ledger.AckedCommits >= target, CancellationToken.None);
        }

        /// <summary>
        /// Commits until <paramref name="count"/> more are acknowledged and the cleaner removed more
        /// records, SIGKILLs the broker with a commit in flight, restarts it.
        /// </summary>
        public async Task KillWhileCommittingAsync(int count)
        {
            var target = Ledger.AckedCommits + count;
            var compacted = CompactedAway(run);
            using var stop = new CancellationTokenSource();
            var committing = Task.Run(() => RunAsync(() => false, stop.Token));
            await WaitUntilAsync(() => Ledger.AckedCommits >= target && CompactedAway(run) > compacted, $"{count} filler commits and compaction");
            run.Kill();
            await stop.CancelAsync();
            await committing.WaitAsync(KillRun.Timeout);
            output.WriteLine($"killed after {Ledger.AckedCommits} filler commits ({Ledger.UnsettledCount} partitions cut off), {CompactedAway(run)} records compacted away");
            await run.RestartAsync();
        }

        private async Task RunAsync(Func<bool> done, CancellationToken stop)
        {
            await using var admin = Admin(run);
            while (!done() && !stop.IsCancellationRequested)
            {
                var next = _next++;
                var offsets = Enumerable.Range(0, Partitions).ToDictionary(p => p, p => next + p);
                Ledger.Sending(offsets);
                try
                {
                    await admin.AlterGroupOffsetsAsync(Group,
                        offsets.ToDictionary(kv => new StromTopicPartition(run.Topic, kv.Key), kv => new OffsetAndMetadata(kv.Value)), stop);
                    Ledger.Acked(offsets);
                }
                catch (Exception ex) when (ex is Strom.Client.KafkaException or OperationCanceledException)
                {
                    Ledger.Unsettled(offsets);
                    // Only the kill may make a commit fail.
                    Assert.True(stop.CanBeCanceled, $"filler commit failed: {ex.Message}");
                    await Task.Delay(20, CancellationToken.None);
                }
            }
            Assert.Empty(Ledger.Problems);
        }
    }

    private static async Task<Dictionary<int, long>> FetchAsync(KillRun run, string group)
    {
        await using var admin = Admin(run);
        var offsets = await admin.ListGroupOffsetsAsync(group);
        Assert.All(offsets.Keys, tp => Assert.Equal(run.Topic, tp.Topic));
        return offsets.ToDictionary(kv => kv.Key.Partition, kv => kv.Value.Offset);
    }

    /// <summary>
    /// Records read in <paramref name="phase"/> (after a restart) start at what the group had
    /// committed at that restart (0 where nothing was) and are never below it.
    /// </summary>
    private static void CheckResumed(ConcurrentQueue<(int Phase, int Partition, long Offset)> reads, int phase, Dictionary<int, long> committed)
    {
        foreach (var partition in reads.Where(r => r.Phase == phase).GroupBy(r => r.Partition))
        {
            var from = committed.GetValueOrDefault(partition.Key);
            var first = partition.Min(r => r.Offset);
            Assert.True(first >= from,
                $"phase {phase}: partition {partition.Key} offset {first} was delivered again although the group had committed {from} before the restart");
            Assert.True(first == from, $"phase {phase}: partition {partition.Key} was first read at {first}, not at its committed offset {from}");
        }
    }

    /// <summary>
    /// How many __consumer_offsets records the cleaner removed: offsets below the end that no
    /// batch in the segment files holds any more (read from the batch headers on disk).
    /// </summary>
    private static long CompactedAway(KillRun run)
    {
        long present = 0;
        long end = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(run.DataDirectory, OffsetsLog), "*.log"))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            catch (IOException)
            {
                continue;
            }
            for (var position = 0; bytes.Length - position >= RecordBatchHeader.Size;)
            {
                var h = RecordBatchHeader.Parse(bytes.AsSpan(position));
                if (h.BatchLength <= 0 || h.TotalSize > bytes.Length - position)
                {
                    break;
                }
                present += System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position + RecordBatchHeader.RecordCountOffset));
                end = Math.Max(end, h.NextOffset);
                position += h.TotalSize;
            }
        }
        return end - present;
    }

    private static KafkaAdminClient Admin(KillRun run) => new(new ClientOptions { BootstrapServers = [run.Bootstrap] });

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + KillRun.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {KillRun.Timeout}");
            await Task.Delay(20);
        }
    }
}
