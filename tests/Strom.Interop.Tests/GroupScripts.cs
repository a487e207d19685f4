using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Strom.Interop.Tests;

/// <summary>Runs the consumer-group scripts in tests/clients and prepares the topics they read.</summary>
internal static class GroupScripts
{
    public static readonly string KafkaPython = Path.Combine(ClientScript.ClientsDirectory, "kafka_python_groups.py");
    public static readonly string ConfluentKafka = Path.Combine(ClientScript.ClientsDirectory, "confluent_kafka_groups.py");
    public static readonly string KafkaJs = Path.Combine(ClientScript.ClientsDirectory, "js", "kafkajs_groups.js");

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs a script to completion and returns its standard output; fails the test if it fails.</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(program, arguments, ScriptTimeout, ClientScript.ClientsDirectory);
        Assert.True(result.Succeeded, result.ToString());
        return result.Stdout;
    }

    public static async Task CreateTopicAsync(string bootstrapServers, string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        await admin.CreateTopicsAsync(
            [new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }],
            new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(30), OperationTimeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Writes records 0..perPartition-1 to every partition (value "p:i") and waits for every ack.</summary>
    public static async Task FillAsync(string bootstrapServers, string topic, int partitions, int perPartition)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            LingerMs = 5,
            Acks = Acks.All,
        }).Build();
        var deliveries = new List<Task<DeliveryResult<Null, byte[]>>>();
        for (var p = 0; p < partitions; p++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                deliveries.Add(producer.ProduceAsync(new TopicPartition(topic, p),
                    new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes($"{p}:{i}") }));
            }
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        foreach (var delivery in deliveries)
        {
            var report = await delivery;
            Assert.Equal(PersistenceStatus.Persisted, report.Status);
        }
    }
}
