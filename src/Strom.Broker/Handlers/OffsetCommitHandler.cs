using Strom.Broker.Groups;
using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// OffsetCommit (8): v0 has no generation or member (simple commits), v1 a commit timestamp per
/// partition, v2-v4 a retention time, v6+ the leader epoch, v7+ group.instance.id.
/// </summary>
public sealed class OffsetCommitHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 9;

    public OffsetCommitResponse Handle(RequestContext context, OffsetCommitRequest request)
    {
        var version = context.ApiVersion;
        var entries = new List<OffsetCommitEntry>();
        foreach (var topic in request.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                entries.Add(new OffsetCommitEntry(topic.Name, p.PartitionIndex, p.CommittedOffset,
                    version >= 6 ? p.CommittedLeaderEpoch : -1,
                    p.CommittedMetadata,
                    version == 1 ? p.CommitTimestamp : -1));
            }
        }
        var errors = broker.Groups.CommitOffsets(
            request.GroupId,
            version >= 1 ? request.GenerationIdOrMemberEpoch : -1,
            version >= 1 ? request.MemberId ?? "" : "",
            version >= 7 ? request.GroupInstanceId : null,
            version is >= 2 and <= 4 ? request.RetentionTimeMs : -1,
            entries);
        var response = new OffsetCommitResponse();
        var i = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                topicResponse.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)errors[i++],
                });
            }
        }
        return response;
    }
}
