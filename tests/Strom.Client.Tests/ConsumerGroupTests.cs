using System.Text;
using System.Text.RegularExpressions;
using Strom.Client.Admin;
using Strom.Client.Consumer;
using Strom.Client.Producer;
using Strom.Testing;

namespace Strom.Client.Tests;

/// <summary>A broker whose groups rebalance at once (group.initial.rebalance.delay.ms=0), for group tests.</summary>
public sealed class GroupBrokerFixture : IAsyncLifetime
{
    private StromBroker? _broker;

    public StromBroker Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public string Bootstrap => Broker.BootstrapServers;

    public async Task InitializeAsync() => _broker = await StartAsync();

    public static Task<StromBroker> StartAsync() =>
        StromBroker.StartAsync(new Dictionary<string, string> { ["group.initial.rebalance.delay.ms"] = "0" });

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}

public class ConsumerGroupTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    internal static KafkaConsumer NewConsumer(string bootstrap, string group, string assignor, string? instance = null, string autoCommit = "false")
    {
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["group.id"] = group,
            ["partition.assignment.strategy"] = assignor,
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = autoCommit,
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "100",
            ["max.poll.interval.ms"] = "15000",
            ["fetch.max.wait.ms"] = "100",
            ["metadata.max.age.ms"] = "500",
        };
        if (instance is not null)
        {
            config["group.instance.id"] = instance;
        }
        return new KafkaConsumer(config);
    }

    internal static async Task CreateTopicAsync(string bootstrap, string topic, int partitions)
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string> { ["bootstrap.servers"] = bootstrap });
        await admin.CreateTopicsAsync([new NewTopic(topic, partitions, 1)]);
    }

    /// <summary>Waits until <paramref name="done"/> holds for the consumers' assignments; fails if two members ever hold one partition.</summary>
    internal static async Task WaitForAssignmentAsync(IReadOnlyList<KafkaConsumer> consumers, Func<IReadOnlyList<TopicPartition>[], bool> done, bool checkOverlap = true)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var assignments = consumers.Select(c => c.Assignment).ToArray();
            if (checkOverlap)
            {
                var all = assignments.SelectMany(a => a).ToList();
                Assert.True(all.Count == all.Distinct().Count(), $"two members hold one partition: {Describe(assignments)}");
            }
            if (done(assignments))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"assignment did not settle: {Describe(assignments)}");
            await Task.Delay(50);
        }
    }

    private static string Describe(IReadOnlyList<TopicPartition>[] assignments) =>
        string.Join(" | ", assignments.Select(a => string.Join(",", a.Order().Select(tp => tp.Partition))));

    [Theory]
    [InlineData("range")]
    [InlineData("roundrobin")]
    [InlineData("sticky")]
    [InlineData("cooperative-sticky")]
    public async Task ThreeMembersShareSixPartitionsAndALeaversPartitionsMove(string assignor)
    {
        var topic = BrokerFixture.NewTopic("group-" + assignor);
        await CreateTopicAsync(fixture.Bootstrap, topic, 6);
        var group = "g-" + topic;
        var consumers = new List<KafkaConsumer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var consumer = NewConsumer(fixture.Bootstrap, group, assignor);
                consumer.Subscribe([topic]);
                consumers.Add(consumer);
            }
            await WaitForAssignmentAsync(consumers, a => a.All(x => x.Count == 2) && a.SelectMany(x => x).Distinct().Count() == 6);
            Assert.All(consumers, c => Assert.Equal(assignor, c.AssignorName));
            var kept = consumers.Take(2).Select(c => c.Assignment.ToHashSet()).ToArray();

            await consumers[2].DisposeAsync();
            consumers.RemoveAt(2);
            await WaitForAssignmentAsync(consumers, a => a.All(x => x.Count == 3) && a.SelectMany(x => x).Distinct().Count() == 6);
            if (assignor.Contains("sticky", StringComparison.Ordinal))
            {
                for (var i = 0; i < 2; i++)
                {
                    Assert.True(kept[i].IsSubsetOf(consumers[i].Assignment), $"sticky: member {i} lost partitions it kept before");
                }
            }
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CooperativeRebalanceRevokesOnlyWhatMoves()
    {
        var topic = BrokerFixture.NewTopic("coop");
        await CreateTopicAsync(fixture.Bootstrap, topic, 6);
        var group = "g-" + topic;
        await using var first = NewConsumer(fixture.Bootstrap, group, "cooperative-sticky");
        var revoked = new List<TopicPartition>();
        first.PartitionsRevoked = parts =>
        {
            lock (revoked)
            {
                revoked.AddRange(parts);
            }
            return Task.CompletedTask;
        };
        first.Subscribe([topic]);
        await WaitForAssignmentAsync([first], a => a[0].Count == 6);
        await using var second = NewConsumer(fixture.Bootstrap, group, "cooperative-sticky");
        second.Subscribe([topic]);
        await WaitForAssignmentAsync([first, second], a => a[0].Count == 3 && a[1].Count == 3);
        lock (revoked)
        {
            Assert.Equal(3, revoked.Count);
            Assert.Empty(revoked.Intersect(first.Assignment));
        }
    }

    [Fact]
    public async Task PatternSubscriptionPicksUpNewTopics()
    {
        var prefix = "pat" + Guid.NewGuid().ToString("N")[..8];
        await CreateTopicAsync(fixture.Bootstrap, prefix + "-a", 2);
        await using var consumer = NewConsumer(fixture.Bootstrap, "g-" + prefix, "range");
        consumer.Subscribe(new Regex("^" + prefix + "-.*$"));
        await WaitForAssignmentAsync([consumer], a => a[0].Count == 2);
        await CreateTopicAsync(fixture.Bootstrap, prefix + "-b", 3);
        await WaitForAssignmentAsync([consumer], a => a[0].Count == 5);
        Assert.Equal([prefix + "-a", prefix + "-b"], consumer.Subscription.Order().ToArray());
    }

    [Fact]
    public async Task StaticMemberKeepsItsPartitionsAcrossARestart()
    {
        var topic = BrokerFixture.NewTopic("static");
        await CreateTopicAsync(fixture.Bootstrap, topic, 4);
        var group = "g-" + topic;
        await using var other = NewConsumer(fixture.Bootstrap, group, "range", instance: "b");
        var first = NewConsumer(fixture.Bootstrap, group, "range", instance: "a");
        first.Subscribe([topic]);
        other.Subscribe([topic]);
        await WaitForAssignmentAsync([first, other], a => a[0].Count == 2 && a[1].Count == 2);
        var before = first.Assignment.Order().ToArray();
        var generation = other.GenerationId;
        await first.DisposeAsync(); // a static member does not leave: no rebalance
        await using var again = NewConsumer(fixture.Bootstrap, group, "range", instance: "a");
        again.Subscribe([topic]);
        await WaitForAssignmentAsync([again, other], a => a[0].Count == 2 && a[1].Count == 2);
        Assert.Equal(before, again.Assignment.Order().ToArray());
        Assert.Equal(generation, other.GenerationId);
    }

    [Fact]
    public async Task GroupConsumptionStartsAtCommittedOffsetsAndCommitsSurviveARestart()
    {
        await using var broker = await GroupBrokerFixture.StartAsync();
        var topic = BrokerFixture.NewTopic("commits");
        await CreateTopicAsync(broker.BootstrapServers, topic, 1);
        await using (var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers }))
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes($"v{i}"), partition: 0)));
        }
        var group = "g-" + topic;
        var tp = new TopicPartition(topic, 0);
        await using (var consumer = NewConsumer(broker.BootstrapServers, group, "range"))
        {
            consumer.Subscribe([topic]);
            for (var i = 0; i < 4; i++)
            {
                var record = await consumer.ConsumeAsync(Patience);
                Assert.NotNull(record);
                Assert.Equal(i, record.Offset);
            }
            await consumer.CommitAsync();
            Assert.Equal(4, (await consumer.CommittedAsync([tp]))[tp]!.Value.Offset);
            await consumer.CommitAsync([new KeyValuePair<TopicPartition, OffsetAndMetadata>(tp, new OffsetAndMetadata(5, "five"))]);
        }
        await broker.RestartAsync();
        await using (var consumer = NewConsumer(broker.BootstrapServers, group, "range"))
        {
            var committed = (await consumer.CommittedAsync([tp]))[tp];
            Assert.Equal(new OffsetAndMetadata(5, "five"), committed);
            consumer.Subscribe([topic]);
            var record = await consumer.ConsumeAsync(Patience);
            Assert.NotNull(record);
            Assert.Equal(5, record.Offset);
        }
    }

    [Fact]
    public async Task AutoCommitCommitsPositionsOnClose()
    {
        var topic = BrokerFixture.NewTopic("autocommit");
        await CreateTopicAsync(fixture.Bootstrap, topic, 1);
        await using (var producer = new KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.Bootstrap }))
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes($"v{i}"), partition: 0)));
        }
        var group = "g-" + topic;
        await using (var consumer = NewConsumer(fixture.Bootstrap, group, "range", autoCommit: "true"))
        {
            consumer.Subscribe([topic]);
            for (var i = 0; i < 3; i++)
            {
                Assert.NotNull(await consumer.ConsumeAsync(Patience));
            }
        }
        await using var reader = NewConsumer(fixture.Bootstrap, group, "range");
        var tp = new TopicPartition(topic, 0);
        Assert.Equal(3, (await reader.CommittedAsync([tp]))[tp]?.Offset);
    }
}
