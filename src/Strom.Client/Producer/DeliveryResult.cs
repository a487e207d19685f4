namespace Strom.Client.Producer;

/// <summary>
/// Where a produced record landed. <see cref="Offset"/> is -1 with acks=0 (the broker does not
/// answer); <see cref="Timestamp"/> is the broker's when the topic uses LogAppendTime.
/// </summary>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, long Timestamp)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}

/// <summary>
/// Called once per record given to <see cref="KafkaProducer.Produce"/>: with where it landed, or
/// with the error that made the producer give up on it (then the result's offset is -1). Runs on
/// the producer's I/O thread: keep it short.
/// </summary>
public delegate void DeliveryHandler(DeliveryResult result, KafkaException? error);
