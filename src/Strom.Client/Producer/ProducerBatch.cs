using Strom.Protocol;
using Strom.Protocol.Records;

namespace Strom.Client.Producer;

/// <summary>
/// One record batch of one partition on its way to the leader: records are encoded into a
/// <see cref="RecordBatchBuilder"/> as they arrive; <see cref="Close"/> compresses and freezes
/// the bytes, which are then sent as they are on every attempt (so a retry is the same batch).
/// </summary>
internal sealed class ProducerBatch
{
    private RecordBatchBuilder? _builder;
    private readonly List<(TaskCompletionSource<DeliveryResult> Completion, long Timestamp)> _records = [];

    public ProducerBatch(TopicPartition partition, CompressionType compression, DateTime now, int deliveryTimeoutMs)
    {
        Partition = partition;
        _builder = new RecordBatchBuilder(compression);
        CreatedAt = now;
        Deadline = now.AddMilliseconds(deliveryTimeoutMs);
    }

    public TopicPartition Partition { get; }
    public DateTime CreatedAt { get; }
    public DateTime Deadline { get; }
    public DateTime RetryAfter { get; set; }
    public int Attempts { get; set; }
    public byte[]? Bytes { get; private set; }
    public int RecordCount => _records.Count;
    public bool IsClosed => Bytes is not null;

    /// <summary>Completes once every record of the batch has its outcome.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int SizeInBytes => Bytes?.Length ?? _builder!.UncompressedSize;

    public void Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers,
        TaskCompletionSource<DeliveryResult> completion)
    {
        _builder!.Append(timestamp, key, value, headers);
        _records.Add((completion, timestamp));
    }

    public void Close()
    {
        if (_builder is null)
        {
            return;
        }
        Bytes = _builder.ToArray();
        _builder.Dispose();
        _builder = null;
    }

    /// <summary>The broker stored the batch at <paramref name="baseOffset"/>; -1 log append time means CreateTime.</summary>
    public void Succeed(long baseOffset, long logAppendTime)
    {
        for (var i = 0; i < _records.Count; i++)
        {
            var (completion, timestamp) = _records[i];
            completion.TrySetResult(new DeliveryResult(Partition.Topic, Partition.Partition,
                baseOffset < 0 ? -1 : baseOffset + i, logAppendTime >= 0 ? logAppendTime : timestamp));
        }
        Done.TrySetResult();
    }

    public void Fail(Exception error)
    {
        foreach (var (completion, _) in _records)
        {
            completion.TrySetException(error);
        }
        _builder?.Dispose();
        _builder = null;
        Done.TrySetResult();
    }
}

/// <summary>The batches of one partition: the open one, those waiting to be sent, and whether one is in flight.</summary>
internal sealed class PartitionQueue
{
    public ProducerBatch? Open { get; set; }
    public LinkedList<ProducerBatch> Ready { get; } = new();
    public bool InFlight { get; set; }
}
