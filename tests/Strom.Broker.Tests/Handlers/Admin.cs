using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Handlers;

/// <summary>Request builders and look-ups shared by the admin handler tests.</summary>
internal static class Admin
{
    public static CreateTopicsRequest.CreatableTopic Topic(string name, int partitions = 1, short replicationFactor = 1, params (string Key, string? Value)[] configs) => new()
    {
        Name = name,
        NumPartitions = partitions,
        ReplicationFactor = replicationFactor,
        Configs = configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }).ToList(),
    };

    public static async Task<CreateTopicsResponse.CreatableTopicResult> CreateAsync(KafkaTestConnection connection, CreateTopicsRequest.CreatableTopic topic, short version = 7)
    {
        var response = await connection.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [topic] }, version);
        return Assert.Single(response.Topics);
    }

    public static async Task<DescribeConfigsResponse.DescribeConfigsResult> DescribeAsync(KafkaTestConnection connection, sbyte type, string name,
        short version = 4, bool synonyms = false, params string[] keys)
    {
        var request = new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = type, ResourceName = name, ConfigurationKeys = keys.Length == 0 ? null : keys.ToList() }],
            IncludeSynonyms = synonyms,
        };
        var response = await connection.SendAsync<DescribeConfigsResponse>(request, version);
        return Assert.Single(response.Results);
    }

    public static async Task<DescribeConfigsResponse.DescribeConfigsResourceResult> ConfigAsync(KafkaTestConnection connection, string topic, string key)
    {
        var result = await DescribeAsync(connection, 2, topic, 4, true, key);
        Assert.Equal(0, result.ErrorCode);
        return Assert.Single(result.Configs);
    }

    /// <summary>The topic as Metadata v12 sees it, without creating it.</summary>
    public static async Task<MetadataResponse.MetadataResponseTopic> MetadataAsync(KafkaTestConnection connection, string topic)
    {
        var response = await connection.SendAsync<MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false }, 12);
        return Assert.Single(response.Topics);
    }

    public static async Task<long> EarliestAsync(KafkaTestConnection connection, string topic, int partition = 0)
    {
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition, Timestamp = -2 }] }],
        };
        var response = await connection.SendAsync<ListOffsetsResponse>(request, 7);
        return response.Topics[0].Partitions[0].Offset;
    }

    public static short Code(ErrorCode error) => (short)error;
}
