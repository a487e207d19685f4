using System.Text.Json;
using Strom.Cli;

namespace Strom.Client.Tests;

/// <summary>The <c>strom</c> client commands, run in-process with string buffers for the console.</summary>
public class CliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private async Task<(int Exit, string Out, string Error)> RunAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.RunAsync([.. args, "--bootstrap-server", fixture.Bootstrap],
            new CliContext(output, error, new StringReader(input), Interactive: false));
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task TopicCreateListDescribeAlterDelete()
    {
        var topic = BrokerFixture.NewTopic("cli");
        var create = await RunAsync("", "topic", "create", topic, "--partitions", "3", "--config", "retention.ms=120000");
        Assert.Equal(0, create.Exit);
        Assert.Contains(topic, create.Out);

        var list = await RunAsync("", "topic", "list");
        Assert.Equal(0, list.Exit);
        Assert.Contains(topic, Lines(list.Out));

        var describe = await RunAsync("", "topic", "describe", topic);
        Assert.Equal(0, describe.Exit);
        var lines = Lines(describe.Out);
        Assert.Equal(4, lines.Length);
        Assert.Contains("PartitionCount: 3", lines[0]);
        Assert.Contains("retention.ms=120000", lines[0]);
        Assert.Contains("Partition: 2", lines[3]);

        var alter = await RunAsync("", "topic", "alter-config", topic, "--set", "retention.ms=5000", "--delete", "cleanup.policy");
        Assert.Equal(0, alter.Exit);
        Assert.Contains("retention.ms=5000", (await RunAsync("", "topic", "describe", topic)).Out);

        var delete = await RunAsync("", "topic", "delete", topic);
        Assert.Equal(0, delete.Exit);
        Assert.DoesNotContain(topic, Lines((await RunAsync("", "topic", "list")).Out));
    }

    [Fact]
    public async Task ProduceFromFileThenConsumeFromBeginning()
    {
        var topic = BrokerFixture.NewTopic("cli-file");
        Assert.Equal(0, (await RunAsync("", "topic", "create", topic, "--partitions", "1")).Exit);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, 100).Select(i => $"k{i}:value {i}"));
            var produce = await RunAsync("", "produce", "--topic", topic, "--file", file, "--key-separator", ":",
                "--header", "source=test", "--compression", "zstd", "--acks", "1");
            Assert.Equal(0, produce.Exit);
            Assert.Contains("Produced 100 record(s)", produce.Error);
        }
        finally
        {
            File.Delete(file);
        }

        var text = await RunAsync("", "consume", "--topic", topic, "--from-beginning", "--max", "10", "--timeout", "10000");
        Assert.Equal(0, text.Exit);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"value {i}"), Lines(text.Out));

        var kv = await RunAsync("", "consume", "--topic", topic, "--offset", "98", "--format", "kv", "--timeout", "2000");
        Assert.Equal(0, kv.Exit);
        Assert.Equal(["k98\tvalue 98", "k99\tvalue 99"], Lines(kv.Out));

        var json = await RunAsync("", "consume", "--topic", topic, "--from-beginning", "--max", "1", "--format", "json", "--timeout", "10000");
        using var doc = JsonDocument.Parse(Lines(json.Out).Single());
        Assert.Equal("k0", doc.RootElement.GetProperty("key").GetString());
        Assert.Equal("value 0", doc.RootElement.GetProperty("value").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("offset").GetInt64());
        Assert.Equal(0, doc.RootElement.GetProperty("partition").GetInt32());
        Assert.Equal("source", doc.RootElement.GetProperty("headers")[0].GetProperty("key").GetString());
        Assert.Equal("test", doc.RootElement.GetProperty("headers")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task ProduceFromStdinAndConsumeByTime()
    {
        var topic = BrokerFixture.NewTopic("cli-stdin");
        var before = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        Assert.Equal(0, (await RunAsync("a\nb\nc\n", "produce", "--topic", topic, "--partition", "0")).Exit);
        var consumed = await RunAsync("", "consume", "--topic", topic, "--timestamp", before.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--partition", "0", "--timeout", "1500");
        Assert.Equal(0, consumed.Exit);
        Assert.Equal(["a", "b", "c"], Lines(consumed.Out));
        var json = await RunAsync("", "consume", "--topic", topic, "--from-beginning", "--max", "1", "--format", "json", "--timeout", "5000");
        using (var doc = JsonDocument.Parse(Lines(json.Out).Single()))
        {
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("key").ValueKind);
        }
        var future = await RunAsync("", "consume", "--topic", topic, "--from-time", "2999-01-01T00:00:00Z", "--timeout", "500");
        Assert.Equal(0, future.Exit);
        Assert.Empty(Lines(future.Out));
    }

    [Theory]
    [InlineData("topic", "describe", "no-such-topic-xyz")]
    [InlineData("topic", "delete", "no-such-topic-xyz")]
    [InlineData("consume", "--topic", "no-such-topic-xyz", "--timeout", "100")]
    public async Task MissingTopicIsOneLineError(params string[] args)
    {
        var (exit, _, error) = await RunAsync("", args);
        Assert.NotEqual(0, exit);
        Assert.Equal("strom: topic 'no-such-topic-xyz' does not exist", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task OtherErrorsAreOneLine()
    {
        var topic = BrokerFixture.NewTopic("cli-dup");
        Assert.Equal(0, (await RunAsync("", "topic", "create", topic)).Exit);
        var duplicate = await RunAsync("", "topic", "create", topic);
        Assert.Equal(1, duplicate.Exit);
        Assert.Equal($"strom: topic '{topic}' already exists", Assert.Single(Lines(duplicate.Error)));

        var badPartition = await RunAsync("", "consume", "--topic", topic, "--partition", "7", "--timeout", "100");
        Assert.Equal(1, badPartition.Exit);
        Assert.Single(Lines(badPartition.Error));

        var noSeparator = await RunAsync("a:b\nnope\n", "produce", "--topic", topic, "--key-separator", ":");
        Assert.Equal(1, noSeparator.Exit);
        Assert.Equal("strom: line 2 has no key separator ':'", Assert.Single(Lines(noSeparator.Error)));

        var badConfig = await RunAsync("", "topic", "alter-config", topic, "--set", "retention.ms=soon");
        Assert.Equal(1, badConfig.Exit);
        Assert.StartsWith("strom: ", Assert.Single(Lines(badConfig.Error)));

        var output = new StringWriter();
        var error = new StringWriter();
        var unreachable = await Program.RunAsync(["topic", "list", "--bootstrap-server", "127.0.0.1:1", "-X", "request.timeout.ms=300"],
            new CliContext(output, error, new StringReader(""), false));
        Assert.Equal(1, unreachable);
        Assert.StartsWith("strom: cannot connect to 127.0.0.1:1", Assert.Single(Lines(error.ToString())));
    }
}
