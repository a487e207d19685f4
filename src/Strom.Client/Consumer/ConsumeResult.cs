using Strom.Protocol.Records;

namespace Strom.Client.Consumer;

/// <summary>
/// One consumed record. A null key or value is distinct from an empty one. Key and value are
/// slices of the fetched bytes; headers are decoded on first access.
/// </summary>
public sealed record ConsumeResult(string Topic, int Partition, long Offset, long Timestamp, TimestampType TimestampType,
    ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader> Headers)
{
    private readonly Record _record;
    private IReadOnlyList<RecordHeader>? _headers = Headers;

    internal ConsumeResult(string topic, int partition, TimestampType timestampType, in Record record)
        : this(topic, partition, record.Offset, record.Timestamp, timestampType, record.Key, record.Value, null!)
    {
        _record = record;
    }

    public IReadOnlyList<RecordHeader> Headers
    {
        get => _headers ??= _record.Headers;
        init => _headers = value;
    }

    public TopicPartition TopicPartition => new(Topic, Partition);
}
