using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// Metadata (3): this broker as the only node, leader and in-sync replica of every partition.
/// Unknown topics are created when auto.create.topics.enable is on and the request allows it
/// (v0-v3 have no flag: the broker setting decides). v0 asks for all topics with an empty list,
/// v1+ with null.
/// </summary>
public sealed class MetadataHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 12;

    public MetadataResponse Handle(RequestContext context, MetadataRequest request)
    {
        var version = context.ApiVersion;
        var (host, port) = broker.AdvertisedEndpoint(context);
        var response = new MetadataResponse
        {
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
            ClusterAuthorizedOperations = int.MinValue,
        };
        response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = broker.NodeId, Host = host, Port = port, Rack = null });

        var all = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (all)
        {
            foreach (var topic in broker.Topics.Registry.All.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.Topics.Add(Describe(topic));
            }
            return response;
        }
        var allowAutoCreate = broker.Config.AutoCreateTopics && (version < 4 || request.AllowAutoTopicCreation);
        foreach (var requested in request.Topics!)
        {
            TopicMetadata? topic = null;
            if (requested.Name is null)
            {
                if (broker.Topics.Registry.TryGet(requested.TopicId, out var byId))
                {
                    topic = byId;
                }
                else
                {
                    response.Topics.Add(new MetadataResponse.MetadataResponseTopic
                    {
                        ErrorCode = (short)ErrorCode.UnknownTopicId,
                        Name = null,
                        TopicId = requested.TopicId,
                        TopicAuthorizedOperations = int.MinValue,
                    });
                    continue;
                }
            }
            else if (!broker.Topics.Registry.TryGet(requested.Name, out topic))
            {
                var error = ErrorCode.UnknownTopicOrPartition;
                if (TopicNames.Validate(requested.Name) is not null)
                {
                    error = ErrorCode.InvalidTopicException;
                }
                else if (allowAutoCreate)
                {
                    var created = broker.Topics.AutoCreate(requested.Name);
                    if (created.Error == ErrorCode.None)
                    {
                        // Kafka answers the creating request with LEADER_NOT_AVAILABLE; clients retry.
                        // The log exists at once here, so the topic can be described right away.
                        response.Topics.Add(Describe(created.Topic!));
                        continue;
                    }
                    error = created.Error;
                }
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic
                {
                    ErrorCode = (short)error,
                    Name = requested.Name,
                    TopicAuthorizedOperations = int.MinValue,
                });
                continue;
            }
            response.Topics.Add(Describe(topic!));
        }
        return response;
    }

    private MetadataResponse.MetadataResponseTopic Describe(TopicMetadata topic)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = topic.IsInternal,
            TopicAuthorizedOperations = int.MinValue,
        };
        for (var i = 0; i < topic.PartitionCount; i++)
        {
            var partition = broker.Partitions.Get(topic.Name, i);
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(partition is null ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
                PartitionIndex = i,
                LeaderId = broker.NodeId,
                LeaderEpoch = partition?.LeaderEpoch ?? 0,
                ReplicaNodes = [broker.NodeId],
                IsrNodes = [broker.NodeId],
                OfflineReplicas = [],
            });
        }
        return result;
    }
}
