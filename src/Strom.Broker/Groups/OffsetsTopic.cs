using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Broker.Partitions;
using Strom.Protocol;
using Strom.Protocol.Records;

using Strom.Protocol.Primitives;

namespace Strom.Broker.Groups;

/// <summary>
/// The internal topic __consumer_offsets: compacted, created on first use with
/// offsets.topic.num.partitions partitions. A group lives in partition
/// abs(javaHashCode(groupId)) % partitions, as in Kafka, so a data directory written by either
/// maps groups the same way. Appends are synchronous: a commit is answered after its records
/// are in the log.
/// </summary>
public sealed class OffsetsTopic(TopicManager topics, PartitionManager partitions, GroupCoordinatorOptions options)
{
    public const string Name = "__consumer_offsets";

    /// <summary>Largest batch written at once; a bigger commit is split (each batch stays under max.message.bytes).</summary>
    private const int MaxBatchBytes = 512 * 1024;

    private int _partitionCount = -1;

    /// <summary>Partitions of the topic: the existing topic's count, else the configured one.</summary>
    public int PartitionCount
    {
        get
        {
            if (_partitionCount < 0)
            {
                _partitionCount = topics.Registry.TryGet(Name, out var t) ? t.PartitionCount : options.OffsetsTopicPartitions;
            }
            return _partitionCount;
        }
    }

    public int PartitionFor(string groupId) => PartitionFor(groupId, PartitionCount);

    /// <summary>Kafka's mapping: Java's String.hashCode over UTF-16 units, Utils.abs (MIN_VALUE -> 0), modulo.</summary>
    public static int PartitionFor(string groupId, int partitionCount)
    {
        var hash = 0;
        foreach (var c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }
        var abs = hash == int.MinValue ? 0 : Math.Abs(hash);
        return abs % partitionCount;
    }

    /// <summary>Creates the topic if it does not exist yet.</summary>
    public ErrorCode EnsureCreated()
    {
        if (topics.Registry.TryGet(Name, out _))
        {
            return ErrorCode.None;
        }
        var configs = new Dictionary<string, string?>
        {
            ["cleanup.policy"] = "compact",
            ["compression.type"] = "producer",
            ["segment.bytes"] = options.OffsetsTopicSegmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var result = topics.Create(Name, options.OffsetsTopicPartitions, 1, configs, validateOnly: false);
        _partitionCount = -1;
        return result.Error is ErrorCode.None or ErrorCode.TopicAlreadyExists ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
    }

    /// <summary>Appends key/value records (a null value is a tombstone) to the group's partition.</summary>
    public ErrorCode Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records, long nowMs)
    {
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }
        if (EnsureCreated() != ErrorCode.None || partitions.Get(Name, PartitionFor(groupId)) is not { } partition)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        using var builder = new RecordBatchBuilder();
        using var batch = new PooledBufferWriter(Math.Min(MaxBatchBytes, 64 * 1024));
        foreach (var (key, value) in records)
        {
            if (builder.RecordCount > 0 && builder.UncompressedSize + key.Length + (value?.Length ?? 0) > MaxBatchBytes)
            {
                if (Flush(partition, builder, batch) is var error and not ErrorCode.None)
                {
                    return error;
                }
            }
            builder.Append(nowMs, key, value);
        }
        return Flush(partition, builder, batch);
    }

    private static ErrorCode Flush(Partition partition, RecordBatchBuilder builder, PooledBufferWriter batch)
    {
        // Our own batch, built just now: appended without the CRC and record walk a producer's batch gets.
        batch.Reset();
        builder.WriteTo(batch);
        var outcome = partition.AppendOwnBatch(batch.WrittenSpan);
        builder.Reset();
        // Kafka answers a failed group-metadata append with a retriable coordinator error.
        return outcome.Error switch
        {
            ErrorCode.None => ErrorCode.None,
            ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
            _ => ErrorCode.CoordinatorNotAvailable,
        };
    }

    /// <summary>Every record of every partition, in log order per partition: what replay applies.</summary>
    public IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> ReadAll()
    {
        if (!topics.Registry.TryGet(Name, out var topic))
        {
            yield break;
        }
        for (var p = 0; p < topic.PartitionCount; p++)
        {
            if (partitions.Get(Name, p) is not { } partition)
            {
                continue;
            }
            var offset = partition.LogStartOffset;
            var end = partition.HighWatermark;
            while (offset < end)
            {
                List<(ReadOnlyMemory<byte>, ReadOnlyMemory<byte>?)> chunk = [];
                using (var read = partition.Log.Read(offset, 1024 * 1024, end, minOneBatch: true))
                {
                    if (read.Error != ErrorCode.None || read.Records.IsEmpty)
                    {
                        break;
                    }
                    var reader = new RecordBatchReader(read.Records);
                    while (reader.TryReadNext(out var batch))
                    {
                        offset = batch.NextOffset;
                        if (batch.IsControl || batch.IsTransactional)
                        {
                            continue;
                        }
                        foreach (var record in batch.Records)
                        {
                            if (record.Key is { } key)
                            {
                                // Copied: the read buffer goes back to the pool when this block ends.
                                // (A null array would convert to an empty value, not a tombstone.)
                                chunk.Add((key.ToArray(), record.Value is { } v ? new ReadOnlyMemory<byte>(v.ToArray()) : (ReadOnlyMemory<byte>?)null));
                            }
                        }
                    }
                }
                foreach (var item in chunk)
                {
                    yield return item;
                }
            }
        }
    }
}
