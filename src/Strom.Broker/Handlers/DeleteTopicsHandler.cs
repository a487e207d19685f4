using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DeleteTopics (20): by name (v0-5, TopicNames) or by name or topic id (v6, Topics). With
/// delete.topic.enable=false every topic fails: INVALID_REQUEST before v3 (which has no such
/// code), TOPIC_DELETION_DISABLED after. Names or ids given twice, both or neither fail with
/// INVALID_REQUEST; unknown ones with UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID.
/// </summary>
public sealed class DeleteTopicsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 6;

    public DeleteTopicsResponse Handle(RequestContext context, DeleteTopicsRequest request)
    {
        var version = context.ApiVersion;
        List<(string? Name, Uuid TopicId)> requested = version >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId)).ToList()
            : request.TopicNames.Select(n => ((string?)n, Uuid.Zero)).ToList();
        var response = new DeleteTopicsResponse();
        if (!broker.Config.DeleteTopicEnable)
        {
            var error = version < 3 ? ErrorCode.InvalidRequest : ErrorCode.TopicDeletionDisabled;
            foreach (var (name, id) in requested)
            {
                response.Responses.Add(Result(name, id, error, null));
            }
            return response;
        }

        var nameCounts = requested.Where(r => r.Name is not null && r.TopicId == Uuid.Zero)
            .GroupBy(r => r.Name!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var idCounts = requested.Where(r => r.Name is null && r.TopicId != Uuid.Zero)
            .GroupBy(r => r.TopicId).ToDictionary(g => g.Key, g => g.Count());
        var done = new HashSet<(string?, Uuid)>();
        foreach (var (name, id) in requested)
        {
            if (name is null && id == Uuid.Zero)
            {
                response.Responses.Add(Result(null, Uuid.Zero, ErrorCode.InvalidRequest, "Neither topic name nor id were specified."));
                continue;
            }
            if (name is not null && id != Uuid.Zero)
            {
                response.Responses.Add(Result(name, id, ErrorCode.InvalidRequest, "You may not specify both topic name and topic id."));
                continue;
            }
            if (!done.Add((name, id)))
            {
                continue;
            }
            if (name is not null)
            {
                response.Responses.Add(nameCounts[name] > 1
                    ? Result(name, Uuid.Zero, ErrorCode.InvalidRequest, "Duplicate topic name.")
                    : DeleteByName(name));
            }
            else if (idCounts[id] > 1)
            {
                response.Responses.Add(Result(null, id, ErrorCode.InvalidRequest, "Duplicate topic id."));
            }
            else if (broker.Topics.Registry.TryGet(id, out var topic))
            {
                response.Responses.Add(Delete(topic));
            }
            else
            {
                response.Responses.Add(Result(null, id, ErrorCode.UnknownTopicId, "This server does not host this topic ID."));
            }
        }
        return response;
    }

    private DeleteTopicsResponse.DeletableTopicResult DeleteByName(string name) =>
        broker.Topics.Registry.TryGet(name, out var topic)
            ? Delete(topic)
            : Result(name, Uuid.Zero, ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");

    private DeleteTopicsResponse.DeletableTopicResult Delete(TopicMetadata topic)
    {
        var result = broker.Topics.Delete(topic.Name);
        return Result(topic.Name, topic.TopicId, result.Error, result.Message);
    }

    private static DeleteTopicsResponse.DeletableTopicResult Result(string? name, Uuid id, ErrorCode error, string? message) => new()
    {
        Name = name,
        TopicId = id,
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
