using System.Buffers;
using System.Buffers.Binary;
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

    // Per record: a TaskCompletionSource<DeliveryResult> (ProduceAsync) or a DeliveryHandler (Produce),
    // in a pooled array returned once every record has its outcome.
    private (object Completion, long Timestamp)[] _records = ArrayPool<(object, long)>.Shared.Rent(16);
    private int _count;

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
    public int RecordCount => _count;

    /// <summary>The batch's first sequence number once an idempotent producer has sent it (-1 before).</summary>
    public int BaseSequence { get; private set; } = -1;

    /// <summary>
    /// Writes producer id, epoch and base sequence into the closed batch's header and recomputes
    /// the CRC (those fields are inside the CRC'd range). Sequences are given when the batch is
    /// first sent, and given again after an epoch bump, as Java's producer does.
    /// </summary>
    public void StampIdempotence(long producerId, short epoch, int baseSequence)
    {
        var bytes = Bytes ?? throw new InvalidOperationException("the batch is not closed");
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(RecordBatchHeader.ProducerIdOffset), producerId);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(RecordBatchHeader.ProducerEpochOffset), epoch);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BaseSequenceOffset), baseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(bytes));
        BaseSequence = baseSequence;
    }
    public bool IsClosed => Bytes is not null;

    /// <summary>Completes once every record of the batch has its outcome.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int SizeInBytes => Bytes?.Length ?? _builder!.UncompressedSize;

    public void Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers,
        object completion)
    {
        _builder!.Append(timestamp, key, value, headers);
        if (_count == _records.Length)
        {
            var grown = ArrayPool<(object, long)>.Shared.Rent(_count * 2);
            _records.AsSpan(0, _count).CopyTo(grown);
            ReturnRecords();
            _records = grown;
        }
        _records[_count++] = (completion, timestamp);
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
        for (var i = 0; i < Math.Min(_count, _records.Length); i++) // empty once completed: a second outcome is a no-op
        {
            var (completion, timestamp) = _records[i];
            var result = new DeliveryResult(Partition.Topic, Partition.Partition,
                baseOffset < 0 ? -1 : baseOffset + i, logAppendTime >= 0 ? logAppendTime : timestamp);
            if (completion is DeliveryHandler handler)
            {
                Invoke(handler, result, null);
            }
            else
            {
                ((TaskCompletionSource<DeliveryResult>)completion).TrySetResult(result);
            }
        }
        ReturnRecords();
        Done.TrySetResult();
    }

    public void Fail(Exception error)
    {
        for (var i = 0; i < Math.Min(_count, _records.Length); i++) // empty once completed: a second outcome is a no-op
        {
            var (completion, timestamp) = _records[i];
            Complete(completion, new DeliveryResult(Partition.Topic, Partition.Partition, -1, timestamp), error);
        }
        ReturnRecords();
        _builder?.Dispose();
        _builder = null;
        Done.TrySetResult();
    }

    private void ReturnRecords()
    {
        if (_records.Length > 0)
        {
            ArrayPool<(object, long)>.Shared.Return(_records, clearArray: true);
            _records = [];
        }
    }

    /// <summary>Completes one record's task or calls its handler; a handler's exception is not the producer's to handle.</summary>
    public static void Complete(object completion, DeliveryResult result, Exception? error)
    {
        if (completion is DeliveryHandler handler)
        {
            Invoke(handler, result, error is null ? null : error as KafkaException ?? new KafkaException(ErrorCode.UnknownServerError, error.Message, error));
        }
        else if (error is null)
        {
            ((TaskCompletionSource<DeliveryResult>)completion).TrySetResult(result);
        }
        else
        {
            ((TaskCompletionSource<DeliveryResult>)completion).TrySetException(error);
        }
    }

    private static void Invoke(DeliveryHandler handler, in DeliveryResult result, KafkaException? error)
    {
        try
        {
            handler(result, error);
        }
        catch (Exception)
        {
            // As in Kafka's clients, a failing callback does not stop the other records' delivery.
        }
    }
}

/// <summary>
/// The batches of one partition: the open one, those waiting to be sent (retries first, in
/// sequence order), how many are in flight, and the idempotent producer's sequence state.
/// </summary>
internal sealed class PartitionQueue
{
    public ProducerBatch? Open { get; set; }
    public LinkedList<ProducerBatch> Ready { get; } = new();
    public int InFlight { get; set; }

    /// <summary>The sequence the next new batch gets.</summary>
    public int NextSequence { get; set; }

    /// <summary>The last sequence the broker acknowledged in this epoch (-1: none).</summary>
    public int LastAckedSequence { get; set; } = -1;

    /// <summary>Puts a batch back in order: before every batch with a higher or no sequence.</summary>
    public void Requeue(ProducerBatch batch)
    {
        var node = Ready.First;
        while (node is not null && node.Value.BaseSequence >= 0 && (batch.BaseSequence < 0 || node.Value.BaseSequence < batch.BaseSequence))
        {
            node = node.Next;
        }
        if (node is null)
        {
            Ready.AddLast(batch);
        }
        else
        {
            Ready.AddBefore(node, batch);
        }
    }
}
