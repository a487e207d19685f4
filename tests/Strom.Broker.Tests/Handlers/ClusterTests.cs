using Strom.Broker.Handlers;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

/// <summary>DescribeCluster, DescribeLogDirs, ElectLeaders and what ApiVersions advertises for them.</summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task DescribeCluster_names_this_node_at_v0_and_v1()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 12);

        var v0 = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), 0);
        Assert.Equal(0, v0.ErrorCode);
        Assert.Equal(metadata.ClusterId, v0.ClusterId);
        Assert.Equal(1, v0.ControllerId);
        var node = Assert.Single(v0.Brokers);
        Assert.Equal((1, broker.Port), (node.BrokerId, node.Port));
        Assert.Equal(int.MinValue, v0.ClusterAuthorizedOperations);

        var v1 = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 1, IncludeClusterAuthorizedOperations = true }, 1);
        Assert.Equal((0, (sbyte)1), ((int)v1.ErrorCode, v1.EndpointType));
        Assert.Equal(DescribeClusterHandler.AllClusterOperations, v1.ClusterAuthorizedOperations);

        var controllers = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);
        Assert.Equal(Code(ErrorCode.MismatchedEndpointType), controllers.ErrorCode);
        var unknown = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 7 }, 1);
        Assert.Equal((Code(ErrorCode.UnsupportedEndpointType), "Unsupported endpoint type 7"), (unknown.ErrorCode, unknown.ErrorMessage));
    }

    [Fact]
    public async Task DescribeLogDirs_lists_partitions_with_sizes_at_v0_and_v4()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("a", 2));
        await CreateAsync(connection, Topic("b"));
        await connection.SendAsync<ProduceResponse>(Core.Requests.Produce("a", 1, Core.Requests.Batch(5)), 7);

        var v0 = await connection.SendAsync<DescribeLogDirsResponse>(new DescribeLogDirsRequest { Topics = null }, 0);
        var dir = Assert.Single(v0.Results);
        Assert.Equal(0, dir.ErrorCode);
        Assert.StartsWith(broker.DataDirectory, dir.LogDir);
        Assert.Equal(["a", "b"], dir.Topics.Select(t => t.Name).Order());
        var a = dir.Topics.Single(t => t.Name == "a").Partitions.ToDictionary(p => p.PartitionIndex);
        Assert.Equal(0, a[0].PartitionSize);
        Assert.True(a[1].PartitionSize > 0);
        Assert.Equal(0, a[1].OffsetLag);

        var request = new DescribeLogDirsRequest { Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = "a", Partitions = [1, 9] }] };
        var v4 = await connection.SendAsync<DescribeLogDirsResponse>(request, 4);
        var only = Assert.Single(Assert.Single(v4.Results).Topics);
        Assert.Equal(("a", 1), (only.Name, Assert.Single(only.Partitions).PartitionIndex));
        Assert.True(v4.Results[0].TotalBytes > 0);
        Assert.True(v4.Results[0].UsableBytes > 0);
    }

    [Fact]
    public async Task ElectLeaders_needs_no_election_on_one_node()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("t"));
        var request = new ElectLeadersRequest
        {
            TopicPartitions =
            [
                new ElectLeadersRequest.TopicPartitionsData { Topic = "t", Partitions = [0, 3] },
                new ElectLeadersRequest.TopicPartitionsData { Topic = "missing", Partitions = [0] },
            ],
        };
        var v0 = await connection.SendAsync<ElectLeadersResponse>(request, 0);
        var t = v0.ReplicaElectionResults.Single(r => r.Topic == "t").PartitionResult;
        Assert.Equal(Code(ErrorCode.ElectionNotNeeded), t.Single(p => p.PartitionId == 0).ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), t.Single(p => p.PartitionId == 3).ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), v0.ReplicaElectionResults.Single(r => r.Topic == "missing").PartitionResult[0].ErrorCode);

        var all = await connection.SendAsync<ElectLeadersResponse>(new ElectLeadersRequest { ElectionType = 0, TopicPartitions = null }, 2);
        Assert.Equal(0, all.ErrorCode);
        Assert.Empty(Assert.Single(all.ReplicaElectionResults).PartitionResult);
        var badType = await connection.SendAsync<ElectLeadersResponse>(new ElectLeadersRequest { ElectionType = 5, TopicPartitions = [] }, 2);
        Assert.Equal(Code(ErrorCode.InvalidRequest), badType.ErrorCode);
    }

    [Fact]
    public async Task ApiVersions_advertises_the_admin_apis()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var response = await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, 3);
        var keys = response.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
        Assert.Equal(((short)0, (short)7), keys[ApiKey.CreateTopics]);
        Assert.Equal(((short)0, (short)6), keys[ApiKey.DeleteTopics]);
        Assert.Equal(((short)0, (short)2), keys[ApiKey.DeleteRecords]);
        Assert.Equal(((short)0, (short)4), keys[ApiKey.DescribeConfigs]);
        Assert.Equal(((short)0, (short)2), keys[ApiKey.AlterConfigs]);
        Assert.Equal(((short)0, (short)4), keys[ApiKey.DescribeLogDirs]);
        Assert.Equal(((short)0, (short)3), keys[ApiKey.CreatePartitions]);
        Assert.Equal(((short)0, (short)2), keys[ApiKey.ElectLeaders]);
        Assert.Equal(((short)0, (short)1), keys[ApiKey.IncrementalAlterConfigs]);
        Assert.Equal(((short)0, (short)1), keys[ApiKey.DescribeCluster]);
    }
}
