using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;
using Strom.Testing;

namespace Strom.Broker.Tests.Core;

/// <summary>Helpers shared by the core handler tests: a broker per test and request builders.</summary>
internal static class Requests
{
    public static byte[] Batch(int count, long firstTimestamp = 1_700_000_000_000, CompressionType compression = CompressionType.None, string keyPrefix = "k")
    {
        using var builder = new RecordBatchBuilder(compression);
        for (var i = 0; i < count; i++)
        {
            builder.Append(firstTimestamp + i, System.Text.Encoding.UTF8.GetBytes($"{keyPrefix}{i}"), System.Text.Encoding.UTF8.GetBytes($"value-{i}"));
        }
        return builder.ToArray();
    }

    public static ProduceRequest Produce(string topic, int partition, byte[] records, short acks = -1) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = records }],
            },
        ],
    };

    public static FetchRequest Fetch(string topic, Uuid topicId, int partition, long offset, int maxWaitMs = 0, int minBytes = 0, int maxBytes = 1 << 20) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = maxBytes,
        SessionEpoch = -1,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                TopicId = topicId,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = maxBytes }],
            },
        ],
    };

    public static MetadataRequest Metadata(params string[] topics) => new()
    {
        Topics = topics.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
        AllowAutoTopicCreation = true,
    };

    public static async Task<MetadataResponse.MetadataResponseTopic> EnsureTopicAsync(KafkaTestConnection connection, string topic)
    {
        var metadata = await connection.SendAsync<MetadataResponse>(Metadata(topic), 12);
        var result = Assert.Single(metadata.Topics);
        Assert.Equal(0, result.ErrorCode);
        return result;
    }
}
