using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// CreatePartitions (37): grows a topic to Count partitions; shrinking or keeping the count is
/// INVALID_PARTITIONS. Assignments, when given, must name each new partition's replicas (this
/// node, once) or the topic fails with INVALID_REPLICA_ASSIGNMENT. A topic named twice fails
/// with INVALID_REQUEST. validate_only checks and changes nothing. A request adding more than
/// 10,000 partitions in all fails for every topic with POLICY_VIOLATION (<see cref="PartitionLimits"/>).
/// </summary>
public sealed class CreatePartitionsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 3;

    public CreatePartitionsResponse Handle(RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var name in duplicates)
        {
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = name,
                ErrorCode = (short)ErrorCode.InvalidRequest,
                ErrorMessage = "Duplicate topic name.",
            });
        }
        var tooMany = PartitionLimits.TooMany(request.Topics.Where(t => !duplicates.Contains(t.Name)).Sum(PartitionsToAdd));
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                continue;
            }
            if (tooMany)
            {
                response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
                {
                    Name = topic.Name,
                    ErrorCode = (short)PartitionLimits.TooManyError,
                    ErrorMessage = PartitionLimits.TooManyMessage,
                });
                continue;
            }
            var assignments = topic.Assignments?.Select(a => (IReadOnlyList<int>)a.BrokerIds).ToList();
            var result = broker.Topics.AddPartitions(topic.Name, topic.Count, request.ValidateOnly, assignments);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)result.Error,
                ErrorMessage = result.Message,
            });
        }
        return response;
    }

    private long PartitionsToAdd(CreatePartitionsRequest.CreatePartitionsTopic topic) =>
        broker.Topics.Registry.TryGet(topic.Name, out var existing) ? Math.Max(0L, (long)topic.Count - existing.PartitionCount) : 0;
}
