using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// CreateTopics (19). Each topic is validated like Kafka's controller does (name, existence,
/// configs, then assignment or partitions and replication factor) and answered on its own.
/// A name given twice is refused for both with INVALID_REQUEST. v5+ also returns the partition
/// count, replication factor and every effective config (as the controller resolves them:
/// override, else set broker key, else default); v7 the topic id. validate_only answers as if
/// created and changes nothing. A request adding more than 10,000 partitions in all fails for
/// every topic with POLICY_VIOLATION (<see cref="PartitionLimits"/>).
/// </summary>
public sealed class CreateTopicsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 7;
    private const string ClusterMetadataTopic = "__cluster_metadata";

    public CreateTopicsResponse Handle(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var tooMany = PartitionLimits.TooMany(request.Topics.Where(t => !duplicates.Contains(t.Name)).Sum(PartitionsToCreate));
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                continue;
            }
            if (tooMany)
            {
                response.Topics.Add(Failed(topic.Name, PartitionLimits.TooManyError, PartitionLimits.TooManyMessage));
                continue;
            }
            if (topic.Name == ClusterMetadataTopic)
            {
                response.Topics.Add(Failed(topic.Name, ErrorCode.InvalidRequest, $"Creation of internal topic {ClusterMetadataTopic} is prohibited."));
                continue;
            }
            var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var c in topic.Configs)
            {
                configs[c.Name] = c.Value;
            }
            var assignments = topic.Assignments.Select(a => (a.PartitionIndex, (IReadOnlyList<int>)a.BrokerIds)).ToList();
            var result = broker.Topics.Create(topic.Name, topic.NumPartitions, topic.ReplicationFactor, configs, request.validateOnly, assignments);
            response.Topics.Add(result.Error == ErrorCode.None
                ? Created(result.Topic!)
                : Failed(topic.Name, result.Error, result.Message));
        }
        foreach (var name in duplicates)
        {
            response.Topics.Add(Failed(name, ErrorCode.InvalidRequest, "Duplicate topic name."));
        }
        return response;
    }

    private long PartitionsToCreate(CreateTopicsRequest.CreatableTopic topic) =>
        topic.Assignments.Count > 0 ? topic.Assignments.Count
        : topic.NumPartitions == -1 ? broker.Config.NumPartitions
        : Math.Max(0, topic.NumPartitions);

    private CreateTopicsResponse.CreatableTopicResult Created(TopicMetadata topic)
    {
        var result = new CreateTopicsResponse.CreatableTopicResult
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            ErrorMessage = null,
            NumPartitions = topic.PartitionCount,
            ReplicationFactor = 1,
        };
        var effective = new EffectiveTopicConfig(broker.Config, topic.Configs);
        foreach (var def in Options.ConfigCatalog.Topic.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            result.Configs!.Add(new CreateTopicsResponse.CreatableTopicConfigs
            {
                Name = def.Name,
                Value = def.Sensitive ? null : effective.Get(def.Name),
                ReadOnly = false,
                ConfigSource = (sbyte)effective.SourceOf(def.Name),
                IsSensitive = def.Sensitive,
            });
        }
        return result;
    }

    private static CreateTopicsResponse.CreatableTopicResult Failed(string name, ErrorCode error, string? message) => new()
    {
        Name = name,
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
