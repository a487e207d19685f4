using System.Text;
using Strom.Cli;
using Strom.Client.Producer;

namespace Strom.Client.Tests;

/// <summary><c>strom group</c>, <c>strom consume --group</c> and <c>strom bench</c>, in-process against a broker.</summary>
public class GroupCliTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.RunAsync([.. args, "--bootstrap-server", fixture.Bootstrap],
            new CliContext(output, error, new StringReader(""), Interactive: false));
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<string> TopicWithRecordsAsync(string prefix, int partitions, int perPartition)
    {
        var topic = BrokerFixture.NewTopic(prefix);
        await ConsumerGroupTests.CreateTopicAsync(fixture.Bootstrap, topic, partitions);
        await using var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.Bootstrap });
        await Task.WhenAll(Enumerable.Range(0, partitions * perPartition)
            .Select(i => producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes($"v{i}"), partition: i % partitions)));
        return topic;
    }

    [Fact]
    public async Task ConsumeWithGroupThenListDescribeResetAndDelete()
    {
        var topic = await TopicWithRecordsAsync("cligroup", 2, 5);
        var group = "cg-" + topic;

        var consume = await RunAsync("consume", "--topic", topic, "--group", group, "--from-beginning", "--max", "6", "--timeout", "20000");
        Assert.Equal(0, consume.Exit);
        Assert.Equal(6, Lines(consume.Out).Length);

        var list = await RunAsync("group", "list");
        Assert.Equal(0, list.Exit);
        Assert.Contains(Lines(list.Out), l => l.StartsWith(group + " ", StringComparison.Ordinal) && l.Contains("Empty", StringComparison.Ordinal));

        var describe = await RunAsync("group", "describe", group);
        Assert.Equal(0, describe.Exit);
        var rows = Lines(describe.Out).Where(l => l.StartsWith(topic, StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal(6, rows.Sum(r => long.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.Equal("5", r[3]));
        Assert.Equal(4, rows.Sum(r => long.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("state Empty", describe.Out);

        var dry = await RunAsync("group", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest");
        Assert.Equal(0, dry.Exit);
        Assert.Contains("Dry run", dry.Error);
        Assert.All(Lines(dry.Out).Skip(1), l => Assert.EndsWith(" 0", l));
        Assert.Equal(6, SumCommitted((await RunAsync("group", "describe", group)).Out, topic));

        Assert.Equal(0, (await RunAsync("group", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute")).Exit);
        Assert.Equal(0, SumCommitted((await RunAsync("group", "describe", group)).Out, topic));

        Assert.Equal(0, (await RunAsync("group", "reset-offsets", "--group", group, "--topic", topic + ":1", "--shift-by", "3", "--execute")).Exit);
        Assert.Equal(3, SumCommitted((await RunAsync("group", "describe", group)).Out, topic));

        Assert.Equal(0, (await RunAsync("group", "reset-offsets", "--group", group, "--all-topics", "--to-offset", "99", "--execute")).Exit);
        Assert.Equal(10, SumCommitted((await RunAsync("group", "describe", group)).Out, topic));

        Assert.Equal(0, (await RunAsync("group", "reset-offsets", "--group", group, "--topic", topic, "--to-datetime", "2000-01-01T00:00:00Z", "--execute")).Exit);
        Assert.Equal(0, SumCommitted((await RunAsync("group", "describe", group)).Out, topic));

        var again = await RunAsync("consume", "--topic", topic, "--group", group, "--max", "10", "--timeout", "20000");
        Assert.Equal(10, Lines(again.Out).Length);

        var delete = await RunAsync("group", "delete", group);
        Assert.Equal(0, delete.Exit);
        Assert.DoesNotContain(Lines((await RunAsync("group", "list")).Out), l => l.StartsWith(group + " ", StringComparison.Ordinal));
        var gone = await RunAsync("group", "describe", group);
        Assert.Equal(1, gone.Exit);
        Assert.Single(Lines(gone.Error));
    }

    private static long SumCommitted(string describe, string topic) =>
        Lines(describe).Where(l => l.StartsWith(topic, StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task ResetRefusesAnActiveGroupAndBadArguments()
    {
        var topic = await TopicWithRecordsAsync("cliactive", 1, 1);
        var group = "cg-" + topic;
        await using var consumer = ConsumerGroupTests.NewConsumer(fixture.Bootstrap, group, "range");
        consumer.Subscribe([topic]);
        await ConsumerGroupTests.WaitForAssignmentAsync([consumer], a => a[0].Count == 1);

        var active = await RunAsync("group", "reset-offsets", "--group", group, "--topic", topic, "--to-latest", "--execute");
        Assert.Equal(1, active.Exit);
        Assert.Contains("stop its consumers", active.Error);

        var describe = await RunAsync("group", "describe", group);
        Assert.Contains("state Stable", describe.Out);
        Assert.Contains(consumer.MemberId, describe.Out);

        var both = await RunAsync("group", "reset-offsets", "--group", group, "--topic", topic, "--to-latest", "--to-earliest");
        Assert.Equal(1, both.Exit);
        Assert.Single(Lines(both.Error));

        var nonEmpty = await RunAsync("group", "delete", group);
        Assert.Equal(1, nonEmpty.Exit);
        Assert.Contains("NON_EMPTY_GROUP", nonEmpty.Error);
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("e2e")]
    public async Task BenchPrintsThroughputAndLatency(string mode)
    {
        var topic = BrokerFixture.NewTopic("bench-" + mode);
        await ConsumerGroupTests.CreateTopicAsync(fixture.Bootstrap, topic, 2);
        var run = await RunAsync("bench", mode, "--topic", topic, "--num-records", "3000", "--record-size", "100");
        Assert.True(run.Exit == 0, run.Error);
        Assert.Matches(@"^3000 records, [\d.]+ records/s, [\d.]+ MB/s, p50 [\d.]+ ms, p99 [\d.]+ ms, p99\.9 [\d.]+ ms$", Lines(run.Out).Last());
        if (mode == "produce")
        {
            var consume = await RunAsync("bench", "consume", "--topic", topic, "--num-records", "3000");
            Assert.True(consume.Exit == 0, consume.Error);
            Assert.StartsWith("3000 records, ", Lines(consume.Out).Last(), StringComparison.Ordinal);
        }
    }
}
