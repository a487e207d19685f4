using Strom.Client.Admin;
using Strom.Client.Consumer;
using Strom.Testing;
using TopicPartition = Strom.Client.TopicPartition;

namespace Strom.Interop.Tests;

/// <summary>
/// A consumer group of Strom.Client and librdkafka (confluent-kafka-python) members with the
/// cooperative-sticky assignor: they agree on the protocol, share the partitions without
/// overlap, and take over a leaving member's partitions.
/// </summary>
public class MixedGroupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StromClientAndLibrdkafkaSharePartitionsWithCooperativeSticky()
    {
        await ClientScript.ConfluentKafkaPython.EnsureInstalledAsync();
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["group.initial.rebalance.delay.ms"] = "0" });
        var topic = "mixed-group";
        var group = "mixed-group-g";
        await using (var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 6, 1)]);
        }
        var stopFile = Path.Combine(Path.GetTempPath(), $"strom-mixed-{Guid.NewGuid():N}");
        var python = ProcessRunner.RunAsync(ClientScript.SystemPython,
            [Path.Combine(ClientScript.ClientsDirectory, "group_member.py"), "--bootstrap", broker.BootstrapServers, "--topic", topic,
                "--group", group, "--stop-file", stopFile, "--max-seconds", "120"],
            TimeSpan.FromMinutes(3), ClientScript.ClientsDirectory);
        var members = new List<KafkaConsumer>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var consumer = new KafkaConsumer(new Dictionary<string, string>
                {
                    ["bootstrap.servers"] = broker.BootstrapServers,
                    ["group.id"] = group,
                    ["partition.assignment.strategy"] = "cooperative-sticky",
                    ["session.timeout.ms"] = "6000",
                    ["heartbeat.interval.ms"] = "200",
                    ["max.poll.interval.ms"] = "20000",
                    ["enable.auto.commit"] = "false",
                });
                consumer.Subscribe([topic]);
                members.Add(consumer);
            }

            // Settled: each Strom member holds two partitions, the librdkafka member the other two.
            var stable = await WaitAsync(members, a => a.All(x => x.Count == 2) && a.SelectMany(x => x).Distinct().Count() == 4, python);
            await Task.Delay(1000);
            Assert.Equal(stable, Snapshot(members));
            Assert.All(members, m => Assert.Equal("cooperative-sticky", m.AssignorName));

            File.WriteAllText(stopFile, "");
            var result = await python;
            Assert.True(result.Succeeded, result.ToString());
            var final = result.Stdout.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("FINAL", StringComparison.Ordinal));
            var theirs = final["FINAL".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => new TopicPartition(s[..s.LastIndexOf(':')], int.Parse(s[(s.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
                .ToArray();
            Assert.True(theirs.Length == 2, $"librdkafka member held {final}; output:\n{result}");
            var ours = stable.SelectMany(x => x).ToArray();
            Assert.Empty(ours.Intersect(theirs));
            Assert.Equal(6, ours.Concat(theirs).Distinct().Count());

            // The librdkafka member left: its partitions move to the Strom members.
            await WaitAsync(members, a => a.All(x => x.Count == 3) && a.SelectMany(x => x).Distinct().Count() == 6, null);
        }
        finally
        {
            File.WriteAllText(stopFile, "");
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
            await python;
            File.Delete(stopFile);
        }
    }

    private static IReadOnlyList<TopicPartition>[] Snapshot(IEnumerable<KafkaConsumer> members) =>
        members.Select(m => (IReadOnlyList<TopicPartition>)m.Assignment.Order().ToArray()).ToArray();

    private static async Task<IReadOnlyList<TopicPartition>[]> WaitAsync(List<KafkaConsumer> members, Func<IReadOnlyList<TopicPartition>[], bool> done, Task<ProcessResult>? python)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var snapshot = Snapshot(members);
            var all = snapshot.SelectMany(x => x).ToList();
            Assert.True(all.Count == all.Distinct().Count(), "two Strom members hold one partition");
            if (done(snapshot))
            {
                return snapshot;
            }
            if (python is { IsCompleted: true })
            {
                Assert.Fail($"the librdkafka member exited early:\n{await python}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"the group did not settle: {string.Join(" | ", snapshot.Select(a => string.Join(",", a)))}");
            await Task.Delay(100);
        }
    }
}
