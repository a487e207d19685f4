using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Consumer.Groups;

/// <summary>A member's subscription as the group leader sees it (decoded from its JoinGroup metadata).</summary>
public sealed record MemberSubscription(
    string MemberId,
    string? GroupInstanceId,
    IReadOnlyList<string> Topics,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int GenerationId,
    string? RackId,
    byte[]? UserData);

/// <summary>
/// The "consumer" protocol type's embedded formats (Kafka protocol guide, "Consumer embedded
/// protocol"): JoinGroup member metadata is <c>int16 version</c> + ConsumerProtocolSubscription,
/// a SyncGroup assignment is <c>int16 version</c> + ConsumerProtocolAssignment. Versions above
/// the highest known are read as the highest known, as Java's client does (later versions only
/// append fields), so newer clients in the same group do not break the leader.
/// </summary>
public static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";

    /// <summary>The subscription version written: v3 (owned partitions, generation, rack).</summary>
    public const short SubscriptionVersion = 3;

    /// <summary>The assignment version written: v3 (same body as v1; Java writes its highest).</summary>
    public const short AssignmentVersion = 3;

    public static byte[] EncodeSubscription(IEnumerable<string> topics, IEnumerable<TopicPartition> owned, int generationId, string? rackId, byte[]? userData)
    {
        var message = new ConsumerProtocolSubscription
        {
            Topics = topics.Order(StringComparer.Ordinal).ToList(),
            UserData = userData,
            OwnedPartitions = owned.GroupBy(tp => tp.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ConsumerProtocolSubscription.TopicPartition { Topic = g.Key, Partitions = g.Select(tp => tp.Partition).Order().ToList() })
                .ToList(),
            GenerationId = generationId,
            RackId = rackId,
        };
        return Write(SubscriptionVersion, (w, v) => message.Write(w, v));
    }

    public static MemberSubscription DecodeSubscription(string memberId, string? groupInstanceId, ReadOnlySpan<byte> bytes)
    {
        var reader = Open(bytes, ConsumerProtocolSubscription.HighestVersion, out var version);
        if (!ConsumerProtocolSubscription.TryRead(ref reader, version, out var message))
        {
            throw new ProtocolException(ErrorCode.InconsistentGroupProtocol, $"member {memberId}'s subscription is truncated");
        }
        var owned = message.OwnedPartitions.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).ToArray();
        return new MemberSubscription(memberId, groupInstanceId, message.Topics, owned, message.GenerationId, message.RackId, message.UserData);
    }

    public static byte[] EncodeAssignment(IEnumerable<TopicPartition> partitions, byte[]? userData = null)
    {
        var message = new ConsumerProtocolAssignment
        {
            AssignedPartitions = partitions.GroupBy(tp => tp.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ConsumerProtocolAssignment.TopicPartition { Topic = g.Key, Partitions = g.Select(tp => tp.Partition).Order().ToList() })
                .ToList(),
            UserData = userData,
        };
        return Write(AssignmentVersion, (w, v) => message.Write(w, v));
    }

    /// <summary>The assigned partitions; an empty array (a member with nothing assigned) decodes as none.</summary>
    public static IReadOnlyList<TopicPartition> DecodeAssignment(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return [];
        }
        var reader = Open(bytes, ConsumerProtocolAssignment.HighestVersion, out var version);
        if (!ConsumerProtocolAssignment.TryRead(ref reader, version, out var message))
        {
            throw new ProtocolException(ErrorCode.InconsistentGroupProtocol, "the assignment is truncated");
        }
        return message.AssignedPartitions.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).ToArray();
    }

    private static byte[] Write(short version, Action<IBufferWriter<byte>, short> body)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        BinaryPrimitives.WriteInt16BigEndian(writer.GetSpan(2), version);
        writer.Advance(2);
        body(writer, version);
        return writer.WrittenSpan.ToArray();
    }

    private static SequenceReader<byte> Open(ReadOnlySpan<byte> bytes, short highest, out short version)
    {
        if (bytes.Length < 2)
        {
            throw new ProtocolException(ErrorCode.InconsistentGroupProtocol, "consumer protocol data shorter than its version");
        }
        version = BinaryPrimitives.ReadInt16BigEndian(bytes);
        if (version < 0)
        {
            throw new ProtocolException(ErrorCode.InconsistentGroupProtocol, $"consumer protocol version {version} is negative");
        }
        version = Math.Min(version, highest);
        return new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes[2..].ToArray()));
    }
}
