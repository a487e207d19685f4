using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Strom.Testing;

namespace Strom.Benchmarks.Groups;

/// <summary>
/// OffsetCommit throughput: one Confluent.Kafka consumer commits the offsets of all of a topic's
/// partitions (1,000 by default) in one synchronous commit, again and again, against an
/// in-process Strom broker and against librdkafka's mock cluster (the reference), alternating,
/// in the same process and with the same client settings.
/// </summary>
internal static class CommitBench
{
    private const string Topic = "commit-bench";

    public static async Task<int> RunAsync(Options options)
    {
        var partitions = options.Int("partitions", 1000);
        var seconds = options.Int("seconds", 5);
        var rounds = options.Int("rounds", 3);

        await using var broker = await StromBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
        using var mock = new NativeLibrdkafka.MockCluster(Topic, partitions);
        Console.WriteLine($"commit: {partitions} partitions per commit, {seconds} s per run, {rounds} rounds (after one warm-up)");

        var strom = new List<double>();
        var reference = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var s = Run(broker.BootstrapServers, partitions, round == 0 ? 1 : seconds);
            var m = Run(mock.BootstrapServers, partitions, round == 0 ? 1 : seconds);
            if (round > 0)
            {
                strom.Add(s);
                reference.Add(m);
                Console.WriteLine($"  round {round}: strom {s:F0} commits/s, mock {m:F0} commits/s, ratio {s / m:F2}");
            }
        }
        var (ms, mm) = (strom.Order().ElementAt(rounds / 2), reference.Order().ElementAt(rounds / 2));
        Console.WriteLine($"RESULT strom_commits_per_s={ms:F0} mock_commits_per_s={mm:F0} ratio={ms / mm:F2} partition_offsets_per_s={ms * partitions:F0}");
        return 0;
    }

    private static double Run(string bootstrap, int partitions, int seconds)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "commit-bench-" + Guid.NewGuid().ToString("N")[..8],
            EnableAutoCommit = false,
        }).Build();
        var offsets = new List<TopicPartitionOffset>(partitions);
        var commits = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + Stopwatch.Frequency * seconds;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < end)
        {
            offsets.Clear();
            for (var p = 0; p < partitions; p++)
            {
                offsets.Add(new TopicPartitionOffset(Topic, p, commits + 1));
            }
            consumer.Commit(offsets);
            commits++;
        }
        var elapsed = Stopwatch.GetElapsedTime(start, now).TotalSeconds;
        // The last commit must have landed: read one partition back.
        var committed = consumer.Committed([new TopicPartition(Topic, partitions - 1)], TimeSpan.FromSeconds(10));
        if (committed[0].Offset.Value != commits)
        {
            throw new InvalidOperationException($"{bootstrap}: committed offset {committed[0].Offset.Value}, expected {commits}");
        }
        consumer.Close();
        return commits / elapsed;
    }
}
