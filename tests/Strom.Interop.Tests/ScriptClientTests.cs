using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Strom.Testing;

namespace Strom.Interop.Tests;

/// <summary>
/// Each real client writes the data set with every codec it supports, reads it back, and reads
/// it back again after the broker restarts on the same data directory.
/// </summary>
public class ScriptClientTests
{
    [Fact]
    public Task KafkaPython() => RoundTripAsync(ClientScript.KafkaPython);

    [Fact]
    public Task ConfluentKafkaPython() => RoundTripAsync(ClientScript.ConfluentKafkaPython);

    // kcat has no admin API: its first Metadata request auto-creates the topic
    // (auto.create.topics.enable defaults to true) with num.partitions partitions.
    [Fact]
    public Task Kcat() => RoundTripAsync(ClientScript.Kcat, new Dictionary<string, string>
    {
        ["num.partitions"] = InteropDataSet.Partitions.ToString(),
    });

    [Fact]
    public Task KafkaJs() => RoundTripAsync(ClientScript.KafkaJs);

    private static async Task RoundTripAsync(ClientScript client, IReadOnlyDictionary<string, string>? brokerConfig = null)
    {
        await client.EnsureInstalledAsync();
        var topic = $"interop-{client.Name}";
        await using var broker = await StromBroker.StartAsync(brokerConfig);

        await client.RunAsync("produce", broker.BootstrapServers, topic);
        await client.RunAsync("verify", broker.BootstrapServers, topic);
        await broker.RestartAsync();
        await client.RunAsync("verify", broker.BootstrapServers, topic);
    }

    internal static async Task CreateTopicAsync(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await admin.CreateTopicsAsync(
            [new TopicSpecification { Name = topic, NumPartitions = InteropDataSet.Partitions, ReplicationFactor = 1 }],
            new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(30), OperationTimeout = TimeSpan.FromSeconds(30) });
    }
}
