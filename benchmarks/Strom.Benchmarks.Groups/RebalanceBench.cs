using System.Diagnostics;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Strom.Testing;

namespace Strom.Benchmarks.Groups;

/// <summary>
/// Time from a member's join to every member of the group holding its assignment (each member's
/// partitions-assigned callback has fired with the final, even assignment), Confluent.Kafka
/// consumers (librdkafka, range assignor) against an in-process Strom broker.
/// Cold: all members subscribe to an empty group at once; the configured
/// group.initial.rebalance.delay.ms is subtracted. Warm: all but one are stable, the last joins;
/// the others learn of the rebalance from their next heartbeat (heartbeat.interval.ms).
/// </summary>
internal static class RebalanceBench
{
    private const string Topic = "rebalance-bench";

    public static async Task<int> RunAsync(Options options)
    {
        var consumers = options.Int("consumers", 10);
        var partitions = options.Int("partitions", 100);
        var delayMs = options.Int("delay-ms", 300);
        var heartbeatMs = options.Int("heartbeat-ms", 100);
        var rounds = options.Int("rounds", 5);

        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["group.initial.rebalance.delay.ms"] = delayMs.ToString(),
            ["group.min.session.timeout.ms"] = "1000",
        });
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
        Console.WriteLine($"rebalance: {consumers} consumers, {partitions} partitions, group.initial.rebalance.delay.ms={delayMs}, heartbeat.interval.ms={heartbeatMs}");

        var cold = new List<double>();
        var warm = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var c = Measure(broker.BootstrapServers, $"cold-{round}", consumers, partitions, heartbeatMs, stable: 0) - delayMs;
            // As in Kafka, members that join during the initial delay extend it once more by
            // min(delay, what is left of the rebalance timeout): all join in the first window, so
            // the group waits two windows. cold2 subtracts both.
            var w = Measure(broker.BootstrapServers, $"warm-{round}", consumers, partitions, heartbeatMs, stable: consumers - 1);
            // Round 0 warms up the JIT and connections and is not recorded.
            if (round > 0)
            {
                cold.Add(c);
                warm.Add(w);
                Console.WriteLine($"  round {round}: cold {c:F1} ms after one delay ({c - delayMs:F1} after both windows), warm join {w:F1} ms");
            }
        }
        Console.WriteLine($"RESULT cold_ms_median={Median(cold):F1} cold2_ms_median={Median(cold) - delayMs:F1} cold_ms_max={cold.Max():F1} warm_ms_median={Median(warm):F1} warm_ms_max={warm.Max():F1}");
        return 0;
    }

    /// <summary>
    /// Starts <paramref name="stable"/> members and waits for them to settle, then joins the rest
    /// and returns the milliseconds until every member holds its share of the final assignment.
    /// </summary>
    private static double Measure(string bootstrap, string group, int count, int partitions, int heartbeatMs, int stable)
    {
        var members = Enumerable.Range(0, count).Select(i => new Member(bootstrap, group, $"{group}-{i}", heartbeatMs)).ToList();
        try
        {
            foreach (var m in members.Take(stable))
            {
                m.Subscribe();
            }
            if (stable > 0)
            {
                WaitEven(members.Take(stable).ToList(), partitions, 0);
            }
            var t0 = Stopwatch.GetTimestamp();
            foreach (var m in members.Skip(stable))
            {
                m.Subscribe();
            }
            return WaitEven(members, partitions, t0);
        }
        finally
        {
            Parallel.ForEach(members, m => m.Dispose());
        }
    }

    /// <summary>Waits until every member's latest assignment (made after <paramref name="since"/>) is an even, complete split; returns ms from since to the last of them.</summary>
    private static double WaitEven(List<Member> members, int partitions, long since)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (true)
        {
            var views = members.Select(m => m.Latest).ToList();
            if (views.All(v => v is { } a && a.At >= since && a.Partitions.Count >= partitions / members.Count && a.Partitions.Count <= (partitions + members.Count - 1) / members.Count)
                && views.SelectMany(v => v!.Value.Partitions).Distinct().Count() == partitions)
            {
                return Stopwatch.GetElapsedTime(since, views.Max(v => v!.Value.At)).TotalMilliseconds;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no even assignment: {string.Join(" ", views.Select(v => v?.Partitions.Count ?? -1))}");
            }
            Thread.Sleep(1);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>A consumer polled on its own thread; records when each assignment arrived.</summary>
    private sealed class Member : IDisposable
    {
        private readonly IConsumer<Ignore, Ignore> _consumer;
        private readonly Thread _thread;
        private volatile bool _stop;
        private volatile StrongBox<(long At, List<int> Partitions)>? _latest;

        public Member(string bootstrap, string group, string name, int heartbeatMs)
        {
            _consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = group,
                ClientId = name,
                SessionTimeoutMs = 10_000,
                HeartbeatIntervalMs = heartbeatMs,
                PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
                EnableAutoCommit = false,
                // BENCH_DEBUG=cgrp,protocol logs librdkafka debug for the member named by BENCH_DEBUG_MEMBER (default: the tenth).
                Debug = Environment.GetEnvironmentVariable("BENCH_DEBUG") is { } d && name.EndsWith(Environment.GetEnvironmentVariable("BENCH_DEBUG_MEMBER") ?? "-9", StringComparison.Ordinal) ? d : null,
            })
            .SetPartitionsAssignedHandler((_, assigned) =>
                _latest = new((Stopwatch.GetTimestamp(), assigned.Select(tp => tp.Partition.Value).ToList())))
            .SetPartitionsRevokedHandler((_, _) => _latest = null)
            .Build();
            _thread = new Thread(Poll) { IsBackground = true, Name = name };
            _thread.Start();
        }

        public (long At, List<int> Partitions)? Latest => _latest?.Value;

        public void Subscribe() => _consumer.Subscribe(Topic);

        private void Poll()
        {
            while (!_stop)
            {
                _consumer.Consume(20);
            }
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
            _consumer.Close();
            _consumer.Dispose();
        }
    }
}
