using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol;
using Strom.Protocol.Messages.GroupCoordinator;
using Strom.Storage;

namespace Strom.Broker.Groups;

/// <summary>A decoded __consumer_offsets record: a committed offset (null = tombstone).</summary>
public sealed record OffsetRecord(string GroupId, TopicPartition Partition, CommittedOffset? Offset);

/// <summary>A decoded __consumer_offsets record: a group's metadata (null = tombstone).</summary>
public sealed record GroupMetadataRecord(string GroupId, GroupMetadataValue? Value);

/// <summary>
/// Kafka's __consumer_offsets record formats (group-coordinator schemas), so Kafka's own tools
/// can read the topic and a Kafka log can be read here. Key and value each start with an int16
/// schema version. Key version 0/1 = OffsetCommitKey (group, topic, partition), version 2 =
/// GroupMetadataKey (group). Values: OffsetCommitValue v3 (v1 when an explicit expiry is set, the
/// only version with that field), GroupMetadataValue v3 (members with group.instance.id). A null
/// value is a tombstone, which compaction eventually drops.
/// </summary>
public static class GroupRecords
{
    public const short OffsetCommitKeyVersion = 1;
    public const short GroupMetadataKeyVersion = 2;
    public const short OffsetCommitValueVersion = 3;
    public const short OffsetCommitValueWithExpiryVersion = 1;
    public const short GroupMetadataValueVersion = 3;

    public static byte[] OffsetCommitKey(string groupId, TopicPartition tp) =>
        Versioned(OffsetCommitKeyVersion, new OffsetCommitKey { group = groupId, topic = tp.Topic, partition = tp.Partition });

    public static byte[] GroupMetadataKey(string groupId) =>
        Versioned(GroupMetadataKeyVersion, new GroupMetadataKey { group = groupId });

    public static byte[] OffsetCommitValue(CommittedOffset offset)
    {
        var value = new OffsetCommitValue
        {
            offset = offset.Offset,
            leaderEpoch = offset.LeaderEpoch,
            metadata = offset.Metadata,
            commitTimestamp = offset.CommitTimestamp,
            expireTimestamp = offset.ExpireTimestamp,
        };
        return Versioned(offset.ExpireTimestamp >= 0 ? OffsetCommitValueWithExpiryVersion : OffsetCommitValueVersion, value);
    }

    /// <summary>The group's generation, protocol, leader and every member with its assignment.</summary>
    public static byte[] GroupMetadataValue(ClassicGroup group)
    {
        var value = new GroupMetadataValue
        {
            protocolType = group.ProtocolType ?? "",
            generation = group.GenerationId,
            protocol = group.ProtocolName,
            leader = group.LeaderId,
            currentStateTimestamp = group.CurrentStateTimestamp,
        };
        foreach (var m in group.Members)
        {
            value.members.Add(new GroupMetadataValue.MemberMetadata
            {
                memberId = m.MemberId,
                groupInstanceId = m.GroupInstanceId,
                clientId = m.ClientId,
                clientHost = m.ClientHost,
                rebalanceTimeout = m.RebalanceTimeoutMs,
                sessionTimeout = m.SessionTimeoutMs,
                subscription = m.MetadataFor(group.ProtocolName) ?? [],
                assignment = m.Assignment,
            });
        }
        return Versioned(GroupMetadataValueVersion, value);
    }

    /// <summary>
    /// Decodes one record; null for key versions this broker does not know (newer record types
    /// of other group kinds), which replay skips. Throws <see cref="InvalidDataException"/> for a
    /// truncated key or value.
    /// </summary>
    public static object? Parse(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte>? value)
    {
        var keyReader = Reader(key, out var keyVersion);
        switch (keyVersion)
        {
            case 0:
            case 1:
            {
                if (!Protocol.Messages.GroupCoordinator.OffsetCommitKey.TryRead(ref keyReader, keyVersion, out var k))
                {
                    throw new InvalidDataException("truncated offset commit key");
                }
                var tp = new TopicPartition(k.topic, k.partition);
                if (value is not { } bytes)
                {
                    return new OffsetRecord(k.group, tp, null);
                }
                var valueReader = Reader(bytes, out var valueVersion);
                valueVersion = Math.Min(valueVersion, Protocol.Messages.GroupCoordinator.OffsetCommitValue.HighestVersion);
                if (!Protocol.Messages.GroupCoordinator.OffsetCommitValue.TryRead(ref valueReader, valueVersion, out var v))
                {
                    throw new InvalidDataException("truncated offset commit value");
                }
                return new OffsetRecord(k.group, tp, new CommittedOffset(v.offset, v.leaderEpoch, v.metadata, v.commitTimestamp, v.expireTimestamp));
            }
            case GroupMetadataKeyVersion:
            {
                if (!Protocol.Messages.GroupCoordinator.GroupMetadataKey.TryRead(ref keyReader, keyVersion, out var k))
                {
                    throw new InvalidDataException("truncated group metadata key");
                }
                if (value is not { } bytes)
                {
                    return new GroupMetadataRecord(k.group, null);
                }
                var valueReader = Reader(bytes, out var valueVersion);
                valueVersion = Math.Min(valueVersion, Protocol.Messages.GroupCoordinator.GroupMetadataValue.HighestVersion);
                if (!Protocol.Messages.GroupCoordinator.GroupMetadataValue.TryRead(ref valueReader, valueVersion, out var v))
                {
                    throw new InvalidDataException("truncated group metadata value");
                }
                return new GroupMetadataRecord(k.group, v);
            }
            default:
                return null;
        }
    }

    private static SequenceReader<byte> Reader(ReadOnlyMemory<byte> bytes, out short version)
    {
        if (bytes.Length < 2)
        {
            throw new InvalidDataException("record key or value shorter than its version");
        }
        version = BinaryPrimitives.ReadInt16BigEndian(bytes.Span);
        if (version < 0)
        {
            throw new InvalidDataException($"record schema version {version}");
        }
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes[2..]));
        return reader;
    }

    /// <summary>Scratch for encoding one key or value; a commit of 1,000 partitions encodes 2,000 of them.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private const int MaxScratchBytes = 64 * 1024;

    private static byte[] Versioned(short version, IKafkaMessage message)
    {
        var writer = t_scratch ??= new ArrayBufferWriter<byte>(256);
        writer.ResetWrittenCount();
        BinaryPrimitives.WriteInt16BigEndian(writer.GetSpan(2), version);
        writer.Advance(2);
        message.Write(writer, version);
        var bytes = writer.WrittenSpan.ToArray();
        if (writer.Capacity > MaxScratchBytes)
        {
            // A large group's metadata: do not keep its buffer for the thread's lifetime.
            t_scratch = null;
        }
        return bytes;
    }
}
