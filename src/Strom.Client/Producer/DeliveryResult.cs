namespace Strom.Client.Producer;

/// <summary>
/// Where a produced record landed. <see cref="Offset"/> is -1 with acks=0 (the broker does not
/// answer); <see cref="Timestamp"/> is the broker's when the topic uses LogAppendTime.
/// </summary>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, long Timestamp)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}
