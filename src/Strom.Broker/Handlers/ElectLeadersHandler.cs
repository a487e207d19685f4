using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// ElectLeaders (43): on a single node every partition already has its preferred (and only)
/// leader, so each named partition answers ELECTION_NOT_NEEDED, an unknown one
/// UNKNOWN_TOPIC_OR_PARTITION. Null partitions means all, and then, as in Kafka, partitions
/// that need no election are left out. Election types other than preferred (0) and unclean (1)
/// are INVALID_REQUEST.
/// </summary>
public sealed class ElectLeadersHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 2;

    public ElectLeadersResponse Handle(RequestContext context, ElectLeadersRequest request)
    {
        var response = new ElectLeadersResponse();
        if (request.ElectionType is not (0 or 1))
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            foreach (var topic in request.TopicPartitions ?? [])
            {
                var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Topic };
                result.PartitionResult.AddRange(topic.Partitions.Select(p => new ElectLeadersResponse.PartitionResult
                {
                    PartitionId = p,
                    ErrorCode = (short)ErrorCode.InvalidRequest,
                    ErrorMessage = $"Unknown election type {request.ElectionType}",
                }));
                response.ReplicaElectionResults.Add(result);
            }
            return response;
        }
        if (request.TopicPartitions is null)
        {
            foreach (var topic in broker.Topics.Registry.All.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.ReplicaElectionResults.Add(new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Name });
            }
            return response;
        }
        foreach (var topic in request.TopicPartitions)
        {
            var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = topic.Topic };
            response.ReplicaElectionResults.Add(result);
            var known = broker.Topics.Registry.TryGet(topic.Topic, out var metadata);
            foreach (var partition in topic.Partitions)
            {
                var (error, message) = !known
                    ? (ErrorCode.UnknownTopicOrPartition, $"No such topic as {topic.Topic}")
                    : partition < 0 || partition >= metadata.PartitionCount
                        ? (ErrorCode.UnknownTopicOrPartition, $"No such partition as {topic.Topic}-{partition}")
                        : (ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.");
                result.PartitionResult.Add(new ElectLeadersResponse.PartitionResult { PartitionId = partition, ErrorCode = (short)error, ErrorMessage = message });
            }
        }
        return response;
    }
}
