using System.Buffers;
using Strom.Broker.Metadata;
using Strom.Protocol;
using Strom.Protocol.Records;
using Strom.Storage;

namespace Strom.Broker.Partitions;

/// <summary>Outcome of appending one partition's records from a Produce request.</summary>
public readonly record struct AppendOutcome(ErrorCode Error, long BaseOffset, long LogAppendTime, long LogStartOffset, string? Message = null, int BatchIndex = -1);

/// <summary>
/// A partition this broker leads: its log, the topic config that governs appends, and the
/// signal that wakes waiting fetches. A single node is the only in-sync replica, so the high
/// watermark follows the log end.
/// </summary>
public sealed class Partition(TopicPartition id, Uuid topicId, PartitionLog log, EffectiveTopicConfig config, TimeProvider time)
{
    private readonly Lock _appendLock = new();

    public TopicPartition Id { get; } = id;
    public Uuid TopicId { get; } = topicId;
    public PartitionLog Log { get; } = log;
    public EffectiveTopicConfig Config { get; set; } = config;
    public int LeaderEpoch => 0;
    public DataSignal DataArrived { get; } = new();
    public long HighWatermark => Log.HighWatermark;
    public long LogStartOffset => Log.LogStartOffset;
    public long LogEndOffset => Log.LogEndOffset;

    /// <summary>
    /// Validates a producer's records (CRC, sizes, magic, keys for compacted topics, timestamps)
    /// and appends them, offsets assigned in place. Legacy message sets (magic 0/1) are
    /// converted to v2 batches first. Batches of idempotent producers are checked against the
    /// partition's producer state (duplicates acknowledged with their original offsets).
    /// </summary>
    public AppendOutcome Append(ReadOnlyMemory<byte> records, short requiredAcks)
    {
        var config = Config;
        if (requiredAcks == -1 && config.MinInsyncReplicas > 1)
        {
            return new AppendOutcome(ErrorCode.NotEnoughReplicas, -1, -1, LogStartOffset,
                $"The size of the current ISR 1 is insufficient to satisfy the min.isr requirement of {config.MinInsyncReplicas}");
        }
        var bytes = records;
        if (bytes.Length > RecordBatchHeader.MagicOffset && bytes.Span[RecordBatchHeader.MagicOffset] < 2)
        {
            try
            {
                var converted = new ArrayBufferWriter<byte>(bytes.Length + RecordBatchHeader.Size);
                LegacyMessageSetConverter.ToRecordBatchV2(bytes, converted);
                bytes = converted.WrittenMemory;
            }
            catch (RecordFormatException ex)
            {
                return new AppendOutcome(ex.ErrorCode, -1, -1, LogStartOffset, ex.Message);
            }
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var options = new ValidationOptions
        {
            MaxMessageBytes = config.MaxMessageBytes,
            TimestampType = config.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
            RequireKeys = config.Compact,
            // As Kafka's log validator: the records inside a compressed batch are decompressed and
            // checked too, so a batch with a valid CRC over undecodable records is never stored.
            DeepCheckCompressed = true,
            NowMs = now,
            TimestampBeforeMaxMs = config.TimestampBeforeMaxMs,
            TimestampAfterMaxMs = config.TimestampAfterMaxMs,
        };
        var error = RecordBatchValidator.Validate(bytes.Span, options, out var validation);
        if (error != ErrorCode.None)
        {
            return new AppendOutcome(error, -1, -1, LogStartOffset, validation.ErrorMessage, error == ErrorCode.InvalidRecord ? 0 : -1);
        }
        // Records are private to this request (copied out of the socket buffer), so stamping in place is safe.
        var writable = System.Runtime.InteropServices.MemoryMarshal.AsMemory(bytes);
        return AppendValidated(writable.Span, config, now);
    }

    /// <summary>
    /// Appends one batch this broker built itself (the group coordinator's records, from
    /// <see cref="RecordBatchBuilder"/>): well-formed by construction, keyed, timestamped now and
    /// CRC'd by the builder, so the CRC and record walk of <see cref="Append"/> are skipped. The
    /// checks that depend on the topic's config (min.insync.replicas for acks=all,
    /// max.message.bytes) still apply, with the same errors.
    /// </summary>
    public AppendOutcome AppendOwnBatch(Span<byte> batch)
    {
        var config = Config;
        if (config.MinInsyncReplicas > 1)
        {
            return new AppendOutcome(ErrorCode.NotEnoughReplicas, -1, -1, LogStartOffset,
                $"The size of the current ISR 1 is insufficient to satisfy the min.isr requirement of {config.MinInsyncReplicas}");
        }
        if (batch.Length > config.MaxMessageBytes)
        {
            return new AppendOutcome(ErrorCode.MessageTooLarge, -1, -1, LogStartOffset, "Record batch is larger than max.message.bytes.");
        }
        return AppendValidated(batch, config, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    private AppendOutcome AppendValidated(Span<byte> batches, EffectiveTopicConfig config, long now)
    {
        AppendResult result;
        try
        {
            lock (_appendLock)
            {
                result = Log.Append(batches, LeaderEpoch, config.LogAppendTime ? now : null);
                Log.HighWatermark = Log.LogEndOffset;
            }
        }
        catch (StorageException ex)
        {
            // Idempotence errors (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH) and storage failures.
            return new AppendOutcome(ex.Code, -1, -1, LogStartOffset, ex.Message);
        }
        if (result.IsDuplicate)
        {
            // A retried batch of an idempotent producer: acknowledged with its original offsets, not appended again.
            return new AppendOutcome(ErrorCode.None, result.FirstOffset, result.LogAppendTimeMs, result.LogStartOffset);
        }
        DataArrived.Notify();
        return new AppendOutcome(ErrorCode.None, result.FirstOffset, config.LogAppendTime ? now : -1, result.LogStartOffset);
    }

    /// <summary>ListOffsets by timestamp: the first record whose timestamp is at least the target.</summary>
    public (long Offset, long Timestamp)? FindOffsetForTimestamp(long timestamp)
    {
        using var lookup = Log.FindByTimestamp(timestamp);
        if (!lookup.Found)
        {
            return null;
        }
        foreach (var record in RecordsOf(lookup.Batch))
        {
            if (record.Timestamp >= timestamp && record.Offset >= LogStartOffset)
            {
                return (record.Offset, record.Timestamp);
            }
        }
        return null;
    }

    /// <summary>ListOffsets -3: the record with the largest timestamp (the first one, on ties).</summary>
    public (long Offset, long Timestamp)? FindMaxTimestamp()
    {
        using var lookup = Log.MaxTimestampBatch();
        if (!lookup.Found)
        {
            return null;
        }
        (long Offset, long Timestamp)? best = null;
        foreach (var record in RecordsOf(lookup.Batch))
        {
            if (best is null || record.Timestamp > best.Value.Timestamp)
            {
                best = (record.Offset, record.Timestamp);
            }
        }
        return best;
    }

    private static IEnumerable<Record> RecordsOf(ReadOnlyMemory<byte> batchBytes)
    {
        var reader = new RecordBatchReader(batchBytes, verifyCrc: false);
        while (reader.TryReadNext(out var batch))
        {
            if (batch.IsControl)
            {
                continue;
            }
            foreach (var record in batch.Records)
            {
                yield return record;
            }
        }
    }
}
