using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Strom.Client.Consumer.Groups;

/// <summary>
/// sticky and cooperative-sticky: a balanced assignment (counts differ by at most one among
/// members with the same subscription) that keeps each member's previous partitions where it
/// can. Previous ownership comes from the subscription's owned partitions (v1+) or, for the
/// eager sticky assignor, from its user data; when two members claim one partition the one
/// with the higher generation keeps it.
/// <para>
/// cooperative-sticky (KIP-429) withholds every partition that moves to a new owner: the old
/// owner sees it missing, revokes it and rejoins, and the second rebalance hands it over, so no
/// partition is ever consumed by two members at once.
/// </para>
/// </summary>
public sealed class StickyAssignor(bool cooperative) : IPartitionAssignor
{
    private const int MaxUserDataTopics = 100_000;

    public string Name => IsCooperative ? "cooperative-sticky" : "sticky";

    public bool IsCooperative { get; } = cooperative;

    /// <summary>
    /// The eager sticky assignor's user data, the layout Java's and librdkafka's StickyAssignor
    /// use: <c>[topic: string, partitions: [int32]] previous_assignment, int32 generation</c>.
    /// cooperative-sticky sends none (owned partitions travel in the subscription itself).
    /// </summary>
    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generationId) =>
        IsCooperative ? null : EncodeUserData(owned, generationId);

    public static byte[] EncodeUserData(IReadOnlyCollection<TopicPartition> owned, int generationId)
    {
        var topics = owned.GroupBy(tp => tp.Topic).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var writer = new ArrayBufferWriter<byte>(64);
        WriteInt32(writer, topics.Length);
        foreach (var topic in topics)
        {
            var name = Encoding.UTF8.GetBytes(topic.Key);
            BinaryPrimitives.WriteInt16BigEndian(writer.GetSpan(2), (short)name.Length);
            writer.Advance(2);
            writer.Write(name);
            var partitions = topic.Select(tp => tp.Partition).Order().ToArray();
            WriteInt32(writer, partitions.Length);
            foreach (var p in partitions)
            {
                WriteInt32(writer, p);
            }
        }
        WriteInt32(writer, generationId);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteInt32(ArrayBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    /// <summary>Reads the sticky user data; null when absent or malformed (the member is then treated as owning nothing).</summary>
    public static (List<TopicPartition> Owned, int Generation)? DecodeUserData(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            return null;
        }
        var owned = new List<TopicPartition>();
        var topics = BinaryPrimitives.ReadInt32BigEndian(data);
        var pos = 4;
        if (topics is < 0 or > MaxUserDataTopics)
        {
            return null;
        }
        for (var t = 0; t < topics; t++)
        {
            if (pos + 2 > data.Length)
            {
                return null;
            }
            var length = BinaryPrimitives.ReadInt16BigEndian(data[pos..]);
            pos += 2;
            if (length < 0 || pos + length + 4 > data.Length)
            {
                return null;
            }
            var topic = Encoding.UTF8.GetString(data.Slice(pos, length));
            pos += length;
            var count = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
            pos += 4;
            if (count < 0 || pos + (count * 4L) > data.Length)
            {
                return null;
            }
            for (var i = 0; i < count; i++, pos += 4)
            {
                owned.Add(new TopicPartition(topic, BinaryPrimitives.ReadInt32BigEndian(data[pos..])));
            }
        }
        var generation = pos + 4 <= data.Length ? BinaryPrimitives.ReadInt32BigEndian(data[pos..]) : -1;
        return (owned, generation);
    }

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyList<MemberSubscription> members)
    {
        var ordered = PartitionAssignors.Ordered(members).ToArray();
        var order = ordered.Select((m, i) => (m.MemberId, i)).ToDictionary(x => x.MemberId, x => x.i);
        var subscribed = ordered.ToDictionary(m => m.MemberId, m => m.Topics.ToHashSet(StringComparer.Ordinal));
        var assignment = PartitionAssignors.Empty(members);
        var all = partitionCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => Enumerable.Range(0, kv.Value).Select(p => new TopicPartition(kv.Key, p)))
            .Where(tp => ordered.Any(m => subscribed[m.MemberId].Contains(tp.Topic)))
            .ToList();
        var exists = all.ToHashSet();

        // Previous owners: the claim with the highest generation wins; invalid claims are dropped.
        var previousOwner = new Dictionary<TopicPartition, (string Member, int Generation)>();
        foreach (var member in ordered)
        {
            var (owned, generation) = Previous(member);
            foreach (var tp in owned)
            {
                if (!exists.Contains(tp) || !subscribed[member.MemberId].Contains(tp.Topic))
                {
                    continue;
                }
                if (!previousOwner.TryGetValue(tp, out var current) || generation > current.Generation)
                {
                    previousOwner[tp] = (member.MemberId, generation);
                }
            }
        }
        foreach (var (tp, owner) in previousOwner)
        {
            assignment[owner.Member].Add(tp);
        }

        // New partitions go to the least loaded eligible member.
        foreach (var tp in all.Where(tp => !previousOwner.ContainsKey(tp)))
        {
            var target = ordered.Where(m => subscribed[m.MemberId].Contains(tp.Topic))
                .MinBy(m => (assignment[m.MemberId].Count, order[m.MemberId]))!;
            assignment[target.MemberId].Add(tp);
        }

        // Then move partitions from the most to the least loaded until no eligible move narrows the gap.
        for (var moves = 0; moves < all.Count * Math.Max(ordered.Length, 1); moves++)
        {
            var moved = false;
            foreach (var from in ordered.OrderByDescending(m => assignment[m.MemberId].Count).ThenBy(m => order[m.MemberId]))
            {
                var source = assignment[from.MemberId];
                foreach (var tp in source.AsEnumerable().Reverse())
                {
                    var to = ordered.Where(m => subscribed[m.MemberId].Contains(tp.Topic) && assignment[m.MemberId].Count < source.Count - 1)
                        .MinBy(m => (assignment[m.MemberId].Count, order[m.MemberId]));
                    if (to is not null)
                    {
                        source.Remove(tp);
                        assignment[to.MemberId].Add(tp);
                        moved = true;
                        break;
                    }
                }
                if (moved)
                {
                    break;
                }
            }
            if (!moved)
            {
                break;
            }
        }

        if (IsCooperative)
        {
            // A partition changing hands is given to nobody this round; its old owner revokes it first.
            foreach (var (member, partitions) in assignment)
            {
                partitions.RemoveAll(tp => (previousOwner.TryGetValue(tp, out var owner) && owner.Member != member)
                    || ClaimedByOther(tp, member, ordered));
            }
        }
        foreach (var partitions in assignment.Values)
        {
            partitions.Sort((a, b) => a.Topic == b.Topic ? a.Partition.CompareTo(b.Partition) : string.CompareOrdinal(a.Topic, b.Topic));
        }
        return assignment;
    }

    /// <summary>True when another member still holds <paramref name="tp"/> by its own account (a losing claim it has not yet revoked).</summary>
    private static bool ClaimedByOther(TopicPartition tp, string member, IEnumerable<MemberSubscription> members) =>
        members.Any(m => m.MemberId != member && m.OwnedPartitions.Contains(tp));

    private static (IReadOnlyList<TopicPartition> Owned, int Generation) Previous(MemberSubscription member)
    {
        if (member.OwnedPartitions.Count > 0)
        {
            return (member.OwnedPartitions, member.GenerationId);
        }
        if (member.UserData is { Length: > 0 } data && DecodeUserData(data) is { } decoded)
        {
            return (decoded.Owned, member.GenerationId >= 0 ? member.GenerationId : decoded.Generation);
        }
        return ([], member.GenerationId);
    }
}
