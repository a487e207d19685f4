using Strom.Client.Admin;
using Strom.Client.Cluster;
using Strom.Protocol;

namespace Strom.Client.Tests;

public class AdminTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private KafkaAdminClient NewAdmin() => new(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.Bootstrap });

    [Fact]
    public async Task CreateListDescribeDeleteTopic()
    {
        var topic = BrokerFixture.NewTopic("admin");
        await using var admin = NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic(topic, 3, 1, new Dictionary<string, string> { ["retention.ms"] = "3600000" })]);
        Assert.Contains(await admin.ListTopicsAsync(), t => t.Name == topic && t.PartitionCount == 3);
        var description = Assert.Single(await admin.DescribeTopicsAsync([topic]));
        Assert.Equal([0, 1, 2], description.Partitions.Select(p => p.Partition));
        Assert.All(description.Partitions, p => Assert.True(p.Leader >= 0));
        Assert.NotEqual(Uuid.Zero, description.TopicId);

        var duplicate = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic(topic, 1)]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.ErrorCode);

        await admin.DeleteTopicsAsync([topic]);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == topic);
        var missing = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeTopicsAsync([topic]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, missing.ErrorCode);
        var gone = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteTopicsAsync([topic]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, gone.ErrorCode);
    }

    [Fact]
    public async Task ValidateOnlyCreatesNothing()
    {
        var topic = BrokerFixture.NewTopic("validate");
        await using var admin = NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic(topic, 2)], validateOnly: true);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == topic);
    }

    [Fact]
    public async Task DescribeAndAlterConfigs()
    {
        var topic = BrokerFixture.NewTopic("configs");
        await using var admin = NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic(topic, 1)]);
        var resource = ConfigResource.Topic(topic);

        var before = await admin.DescribeConfigsAsync(resource);
        var retention = Assert.Single(before, c => c.Name == "retention.ms");
        Assert.True(retention.IsDefault);
        Assert.Equal("604800000", retention.Value);

        await admin.IncrementalAlterConfigsAsync(resource, [new AlterConfigOp("retention.ms", "1000"), new AlterConfigOp("cleanup.policy", "compact")]);
        var after = await admin.DescribeConfigsAsync(resource);
        Assert.Equal("1000", after.Single(c => c.Name == "retention.ms").Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, after.Single(c => c.Name == "retention.ms").Source);
        Assert.Equal("compact", after.Single(c => c.Name == "cleanup.policy").Value);

        await admin.IncrementalAlterConfigsAsync(resource, [new AlterConfigOp("retention.ms", null, AlterConfigOpType.Delete)]);
        Assert.Equal("604800000", (await admin.DescribeConfigsAsync(resource)).Single(c => c.Name == "retention.ms").Value);

        // Legacy AlterConfigs replaces the whole set: cleanup.policy returns to its default.
        await admin.AlterConfigsAsync(resource, new Dictionary<string, string?> { ["retention.ms"] = "5000" });
        var legacy = await admin.DescribeConfigsAsync(resource);
        Assert.Equal("5000", legacy.Single(c => c.Name == "retention.ms").Value);
        Assert.Equal("delete", legacy.Single(c => c.Name == "cleanup.policy").Value);

        var bad = await Assert.ThrowsAsync<KafkaException>(() => admin.IncrementalAlterConfigsAsync(resource, [new AlterConfigOp("retention.ms", "soon")]));
        Assert.Equal(ErrorCode.InvalidConfig, bad.ErrorCode);
    }

    [Fact]
    public async Task CreatePartitionsGrowsTheTopic()
    {
        var topic = BrokerFixture.NewTopic("grow");
        await using var admin = NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic(topic, 1)]);
        await admin.CreatePartitionsAsync(new Dictionary<string, int> { [topic] = 4 });
        Assert.Equal(4, (await admin.DescribeTopicsAsync([topic]))[0].Partitions.Count);
        var shrink = await Assert.ThrowsAsync<KafkaException>(() => admin.CreatePartitionsAsync(new Dictionary<string, int> { [topic] = 2 }));
        Assert.Equal(ErrorCode.InvalidPartitions, shrink.ErrorCode);
    }

    [Fact]
    public async Task DescribeClusterNamesTheBroker()
    {
        await using var admin = NewAdmin();
        var cluster = await admin.DescribeClusterAsync();
        var broker = Assert.Single(cluster.Brokers);
        Assert.Equal(fixture.Broker.Port, broker.Port);
        Assert.Equal(broker.Id, cluster.ControllerId);
        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
    }

    [Fact]
    public async Task ListOffsetsEarliestLatestAndByTime()
    {
        var topic = BrokerFixture.NewTopic("offsets");
        await using var admin = NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic(topic, 1)]);
        await using (var producer = new Producer.KafkaProducer(new Dictionary<string, string> { ["bootstrap.servers"] = fixture.Bootstrap }))
        {
            for (var i = 0; i < 5; i++)
            {
                await producer.ProduceAsync(topic, null, new byte[] { (byte)i }, timestamp: 10_000 + (i * 10), partition: 0);
            }
        }
        var tp = new TopicPartition(topic, 0);
        Assert.Equal(0, (await admin.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [tp] = OffsetSpec.Earliest }))[tp].Offset);
        Assert.Equal(5, (await admin.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [tp] = OffsetSpec.Latest }))[tp].Offset);
        var byTime = (await admin.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [tp] = 10_015 }))[tp];
        Assert.Equal(new OffsetAndTimestamp(2, 10_020), byTime);
        Assert.Equal(4, (await admin.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [tp] = OffsetSpec.MaxTimestamp }))[tp].Offset);
    }

    [Fact]
    public async Task UnreachableBrokerFailsWithNetworkError()
    {
        await using var admin = new KafkaAdminClient(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "127.0.0.1:1",
            ["request.timeout.ms"] = "500",
        });
        var ex = await Assert.ThrowsAsync<KafkaException>(() => admin.ListTopicsAsync());
        Assert.Equal(ErrorCode.NetworkException, ex.ErrorCode);
    }
}
