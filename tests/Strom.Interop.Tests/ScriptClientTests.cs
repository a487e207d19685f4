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
    public Task KafkaPython() => RoundTripAsync(ClientScript.KafkaPython, createTopic: false);

    [Fact]
    public Task ConfluentKafkaPython() => RoundTripAsync(ClientScript.ConfluentKafkaPython, createTopic: false);

    // kcat has no admin API.
    [Fact]
    public Task Kcat() => RoundTripAsync(ClientScript.Kcat, createTopic: true);

    [Fact]
    public Task KafkaJs() => RoundTripAsync(ClientScript.KafkaJs, createTopic: false);

    private static async Task RoundTripAsync(ClientScript client, bool createTopic)
    {
        await client.EnsureInstalledAsync();
        var topic = $"interop-{client.Name}";
        await using var broker = await StromBroker.StartAsync();
        if (createTopic)
        {
            await CreateTopicAsync(broker.BootstrapServers, topic);
        }

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
