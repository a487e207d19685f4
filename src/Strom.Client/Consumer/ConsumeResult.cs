using Strom.Protocol.Records;

namespace Strom.Client.Consumer;

/// <summary>One consumed record. A null key or value is distinct from an empty one.</summary>
public sealed record ConsumeResult(string Topic, int Partition, long Offset, long Timestamp, TimestampType TimestampType,
    ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader> Headers)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}
