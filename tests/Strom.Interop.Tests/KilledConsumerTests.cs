using Strom.Testing;

namespace Strom.Interop.Tests;

/// <summary>
/// Three confluent-kafka consumers share six partitions; one is killed with SIGKILL mid-stream.
/// After its session timeout the group rebalances, the others take its partitions from its last
/// commits: every record is read, and only records of its uncommitted window are read twice.
/// </summary>
public class KilledConsumerTests
{
    private const string Topic = "sigkill";
    private const int Partitions = 6;
    private const int PerPartition = 300;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_killed_member_is_replaced_after_its_session_timeout()
    {
        await ClientScript.ConfluentKafkaPython.EnsureInstalledAsync();
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["group.initial.rebalance.delay.ms"] = "300",
            ["group.min.session.timeout.ms"] = "1000",
        });
        await GroupScripts.CreateTopicAsync(broker.BootstrapServers, Topic, Partitions);
        await GroupScripts.FillAsync(broker.BootstrapServers, Topic, Partitions, PerPartition);

        LiveProcess Member(string name, int delayMs) => LiveProcess.Start(ClientScript.SystemPython,
        [
            GroupScripts.ConfluentKafka, "--bootstrap", broker.BootstrapServers, "--topic", Topic, "--group", "sigkill-group",
            "--name", name, "--delay-ms", delayMs.ToString(), "--commit-every", "20", "--session-timeout-ms", "2000", "member",
        ]);
        // The victim reads slowly so that it is killed with most of its partitions unread.
        using var victim = Member("victim", 10);
        using var survivorA = Member("survivor-a", 0);
        using var survivorB = Member("survivor-b", 0);
        LiveProcess[] all = [victim, survivorA, survivorB];

        // Every member holds two partitions (the three-member generation) and the victim has read in it.
        foreach (var member in all)
        {
            await member.WaitForAsync(lines => LastAssignment(lines)?.Count == 2, Timeout, "assignment of two partitions");
        }
        await victim.WaitForAsync(
            lines => lines[(lines.FindLastIndex(l => l.StartsWith("ASSIGNED", StringComparison.Ordinal)) + 1)..]
                .Count(l => l.StartsWith("C ", StringComparison.Ordinal)) >= 2,
            Timeout, "two commits in the three-member generation");
        victim.Kill();
        victim.WaitForExit();
        var victimLines = victim.Lines();
        var victimPartitions = LastAssignment(victimLines)!;

        // The survivors finish the topic, the victim's partitions included.
        var deadline = DateTime.UtcNow + Timeout;
        while (Reads(all).Select(r => (r.Partition, r.Offset)).Distinct().Count() < Partitions * PerPartition)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"the survivors did not read every record within {Timeout}:\n{survivorA.Describe()}\n{survivorB.Describe()}");
            await Task.Delay(50);
        }
        await survivorA.CloseInputAsync(TimeSpan.FromSeconds(30));
        await survivorB.CloseInputAsync(TimeSpan.FromSeconds(30));

        // The victim's last commit per partition: offset of the next record to read.
        var victimCommits = new Dictionary<int, long>();
        foreach (var line in victimLines.Where(l => l.StartsWith("C ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            victimCommits[int.Parse(parts[1])] = long.Parse(parts[2]);
        }
        var victimRead = Reads([victim]).ToHashSet();
        var unfinished = victimPartitions.Where(p => !victimRead.Contains((p, PerPartition - 1))).ToList();
        Assert.True(unfinished.Count > 0, $"the victim read all of partitions {string.Join(",", victimPartitions)} before it was killed: the test proves nothing");

        var counts = Reads(all).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Partitions * PerPartition, counts.Count);
        foreach (var ((p, o), n) in counts.Where(c => c.Value > 1))
        {
            var committed = victimCommits.GetValueOrDefault(p);
            Assert.True(n == 2 && victimRead.Contains((p, o)) && victimPartitions.Contains(p) && o >= committed,
                $"partition {p} offset {o} read {n} times; only the victim's uncommitted records (partitions {string.Join(",", victimPartitions)}, " +
                $"at or after its last commit {committed}) may be read twice");
        }
        // The survivors resumed exactly at the victim's commits: the records between its last
        // commit and its last read are the duplicates, nothing before.
        foreach (var p in unfinished)
        {
            var committed = victimCommits.GetValueOrDefault(p);
            var survivorsFirst = Reads([survivorA, survivorB]).Where(r => r.Partition == p && r.Offset >= committed).Min(r => r.Offset);
            Assert.Equal(committed, survivorsFirst);
        }
    }

    private static List<int>? LastAssignment(List<string> lines)
    {
        var last = lines.LastOrDefault(l => l.StartsWith("ASSIGNED", StringComparison.Ordinal));
        return last?["ASSIGNED".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList();
    }

    private static IEnumerable<(int Partition, long Offset)> Reads(IEnumerable<LiveProcess> processes) =>
        processes.SelectMany(p => p.Lines())
            .Where(l => l.StartsWith("R ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(parts => (int.Parse(parts[1]), long.Parse(parts[2])));
}
