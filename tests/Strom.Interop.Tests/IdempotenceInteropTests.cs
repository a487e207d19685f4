using System.Text;
using Confluent.Kafka;
using Strom.Testing;
using Xunit.Abstractions;

namespace Strom.Interop.Tests;

/// <summary>
/// Idempotent producers (confluent-kafka enable.idempotence=true, kafkajs idempotent: true)
/// write 100,000 records while the broker restarts twice under them, on the same port and data
/// directory. Retries after the restarts must not duplicate: every acknowledged record is in the
/// log exactly once, at the offset it was acknowledged with, and each partition keeps the order
/// in which its records were produced.
/// </summary>
public class IdempotenceInteropTests(ITestOutputHelper output)
{
    private const int Count = 100_000;
    private const int Partitions = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public Task ConfluentKafka() => ProduceThroughRestartsAsync(ClientScript.ConfluentKafkaPython, ClientScript.SystemPython,
        Path.Combine(ClientScript.ClientsDirectory, "confluent_kafka_idempotence.py"));

    [Fact]
    public Task KafkaJs() => ProduceThroughRestartsAsync(ClientScript.KafkaJs, "node",
        Path.Combine(ClientScript.ClientsDirectory, "js", "kafkajs_idempotence.js"));

    private async Task ProduceThroughRestartsAsync(ClientScript client, string program, string script)
    {
        await client.EnsureInstalledAsync();
        await using var broker = await StromBroker.StartAsync();
        var topic = "idempotent-" + client.Name;
        await GroupScripts.CreateTopicAsync(broker.BootstrapServers, topic, Partitions);
        var ackFile = Path.Combine(broker.DataDirectory, "..", $"acks-{Guid.NewGuid():N}.txt");
        try
        {
            using var producer = LiveProcess.Start(program,
                [script, "--bootstrap", broker.BootstrapServers, "--topic", topic, "--count", Count.ToString(), "--partitions", Partitions.ToString(), "--out", ackFile]);
            var port = broker.Port;
            for (var mark = 1; mark <= 2; mark++)
            {
                await producer.WaitForAsync(lines => lines.Contains($"MARK {mark}"), Timeout, $"MARK {mark}");
                await broker.RestartAsync();
                Assert.Equal(port, broker.Port);
                await producer.WriteLineAsync("restarted");
            }
            await producer.WaitForSuccessAsync(Timeout);
            output.WriteLine(producer.Describe());
            var done = producer.Lines().Single(l => l.StartsWith("done ", StringComparison.Ordinal));
            Assert.True(done == $"done acked={Count} failed=0 undelivered=0", $"{done}\n{producer.Describe()}");

            var acked = File.ReadAllLines(ackFile).Where(l => l.Length > 0).Select(l => l.Split(' ').Select(long.Parse).ToArray()).ToList();
            Verify(broker.BootstrapServers, topic, acked);
        }
        finally
        {
            File.Delete(ackFile);
        }
    }

    /// <summary>acked: (partition, n, offset) per acknowledged record.</summary>
    private static void Verify(string bootstrap, string topic, List<long[]> acked)
    {
        var log = Enumerable.Range(0, Partitions).Select(_ => new List<(long Offset, long N)>()).ToArray();
        using (var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "idempotence-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build())
        {
            consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var atEnd = new HashSet<int>();
            var deadline = DateTime.UtcNow + Timeout;
            while (atEnd.Count < Partitions)
            {
                Assert.True(DateTime.UtcNow < deadline, $"timed out reading back: {string.Join(", ", log.Select(l => l.Count))}");
                var r = consumer.Consume(TimeSpan.FromSeconds(1));
                if (r is null)
                {
                    continue;
                }
                if (r.IsPartitionEOF)
                {
                    atEnd.Add(r.Partition.Value);
                    continue;
                }
                var value = Encoding.UTF8.GetString(r.Message.Value).Split(':');
                Assert.Equal(r.Partition.Value, int.Parse(value[0]));
                log[r.Partition.Value].Add((r.Offset.Value, long.Parse(value[1])));
            }
            consumer.Close();
        }

        for (var p = 0; p < Partitions; p++)
        {
            var ns = log[p].Select(r => r.N).ToList();
            var duplicates = ns.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
            Assert.True(duplicates.Count == 0, $"partition {p}: records written twice, e.g. {string.Join(", ", duplicates)}");
            for (var i = 1; i < ns.Count; i++)
            {
                Assert.True(ns[i] > ns[i - 1], $"partition {p}: record {ns[i]} at offset {log[p][i].Offset} follows {ns[i - 1]}: out of order");
            }
        }
        var byOffset = log.Select(l => l.ToDictionary(r => r.Offset, r => r.N)).ToArray();
        Assert.Equal(Count, acked.Count);
        Assert.Equal(Count, log.Sum(l => l.Count));
        foreach (var a in acked)
        {
            var (p, n, offset) = ((int)a[0], a[1], a[2]);
            Assert.True(byOffset[p].TryGetValue(offset, out var found) && found == n,
                $"record {n} was acknowledged at partition {p} offset {offset}, which holds {(byOffset[p].TryGetValue(offset, out var other) ? other : "nothing")}");
        }
    }
}
