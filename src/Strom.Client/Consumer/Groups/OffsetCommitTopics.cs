using Strom.Protocol.Messages;

namespace Strom.Client.Consumer.Groups;

/// <summary>The topics part of an OffsetCommit request, shared by the consumer's commits and the admin client's offset changes.</summary>
internal static class OffsetCommitTopics
{
    /// <summary>Offsets grouped by topic; no leader epoch, no per-partition timestamp, metadata "" when absent.</summary>
    public static List<OffsetCommitRequest.OffsetCommitRequestTopic> From(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets) =>
        offsets.GroupBy(kv => kv.Key.Topic).Select(t => new OffsetCommitRequest.OffsetCommitRequestTopic
        {
            Name = t.Key,
            Partitions = t.Select(kv => new OffsetCommitRequest.OffsetCommitRequestPartition
            {
                PartitionIndex = kv.Key.Partition,
                CommittedOffset = kv.Value.Offset,
                CommittedLeaderEpoch = -1,
                CommitTimestamp = -1,
                CommittedMetadata = kv.Value.Metadata ?? "",
            }).ToList(),
        }).ToList();
}
