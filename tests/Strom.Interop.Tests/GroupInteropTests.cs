using System.Text.Json;
using Strom.Testing;

namespace Strom.Interop.Tests;

/// <summary>
/// Consumer groups through real clients: the seed tutorial, even assignment with every
/// assignor, a killed member's partitions taken over from its commits, and committed offsets
/// across a broker restart.
/// </summary>
public class GroupInteropTests
{
    private static readonly Dictionary<string, string> BrokerConfig = new()
    {
        ["group.initial.rebalance.delay.ms"] = "200",
        ["group.min.session.timeout.ms"] = "1000",
    };

    [Fact]
    public async Task SeedTutorial_auto_commit_and_manual_commit()
    {
        await ClientScript.KafkaPython.EnsureInstalledAsync();
        await using var broker = await StromBroker.StartAsync(BrokerConfig);
        var b = broker.BootstrapServers;
        var py = GroupScripts.KafkaPython;

        // The tutorial's producer: topic_test is auto-created by its first Metadata request.
        await Python(py, b, "tutorial-produce", "--from", "0", "--count", "1000");
        await Python(py, b, "tutorial-consume", "--expect-from", "0", "--expect-count", "1000");
        // A second run reads nothing old: only what was written since.
        await Python(py, b, "tutorial-produce", "--from", "1000", "--count", "500");
        await Python(py, b, "tutorial-consume", "--expect-from", "1000", "--expect-count", "500");
        await Python(py, b, "tutorial-consume", "--expect-count", "0");

        // enable_auto_commit=False with commit(): a new group starts from the beginning, then has nothing left.
        await Python(py, b, "tutorial-consume", "--manual", "--group", "my-group-id-manual", "--expect-count", "1500");
        await Python(py, b, "tutorial-consume", "--manual", "--group", "my-group-id-manual", "--expect-count", "0");
    }

    [Fact]
    public async Task Committed_offsets_survive_a_broker_restart_mid_consumption()
    {
        await ClientScript.KafkaPython.EnsureInstalledAsync();
        await using var broker = await StromBroker.StartAsync(BrokerConfig);
        var py = GroupScripts.KafkaPython;

        await Python(py, broker.BootstrapServers, "tutorial-produce", "--from", "0", "--count", "1000");
        await Python(py, broker.BootstrapServers, "tutorial-consume", "--limit", "400", "--expect-count", "400");
        await broker.RestartAsync();
        await Python(py, broker.BootstrapServers, "tutorial-consume", "--limit", "300", "--manual", "--expect-from", "400", "--expect-count", "300");
        await broker.RestartAsync();
        await Python(py, broker.BootstrapServers, "tutorial-consume", "--expect-from", "700", "--expect-count", "300");
    }

    [Theory]
    [InlineData("kafka-python", "")]
    [InlineData("confluent-kafka", "range")]
    [InlineData("confluent-kafka", "roundrobin")]
    [InlineData("confluent-kafka", "cooperative-sticky")]
    [InlineData("kafkajs", "")]
    public async Task Three_consumers_on_six_partitions_get_two_each(string client, string strategy)
    {
        var script = client switch
        {
            "kafka-python" => ClientScript.KafkaPython,
            "confluent-kafka" => ClientScript.ConfluentKafkaPython,
            _ => ClientScript.KafkaJs,
        };
        await script.EnsureInstalledAsync();
        await using var broker = await StromBroker.StartAsync(BrokerConfig);
        var topic = $"trio-{client}-{strategy}".TrimEnd('-');
        await GroupScripts.CreateTopicAsync(broker.BootstrapServers, topic, 6);
        await GroupScripts.FillAsync(broker.BootstrapServers, topic, 6, 10);

        string[] common = ["--bootstrap", broker.BootstrapServers, "--topic", topic, "--group", topic + "-group"];
        var output = client switch
        {
            "kafka-python" => await GroupScripts.RunAsync(ClientScript.SystemPython, [GroupScripts.KafkaPython, .. common, "trio"]),
            "confluent-kafka" => await GroupScripts.RunAsync(ClientScript.SystemPython, [GroupScripts.ConfluentKafka, .. common, "--strategy", strategy, "trio"]),
            _ => await GroupScripts.RunAsync("node", [GroupScripts.KafkaJs, .. common, "trio"]),
        };

        var line = output.Split('\n').Single(l => l.StartsWith("ASSIGNMENT ", StringComparison.Ordinal));
        var assignment = JsonSerializer.Deserialize<Dictionary<string, int[]>>(line["ASSIGNMENT ".Length..])!;
        Assert.Equal(3, assignment.Count);
        Assert.All(assignment.Values, partitions => Assert.Equal(2, partitions.Length));
        Assert.Equal(Enumerable.Range(0, 6), assignment.Values.SelectMany(p => p).Order());
    }

    private static Task Python(string script, string bootstrap, string phase, params string[] arguments) =>
        GroupScripts.RunAsync(ClientScript.SystemPython, [script, "--bootstrap", bootstrap, "--topic", "topic_test", .. arguments, phase]);
}
