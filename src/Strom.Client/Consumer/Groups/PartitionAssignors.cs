using Strom.Client.Config;

namespace Strom.Client.Consumer.Groups;

/// <summary>
/// A client-side partition assignor of the classic consumer protocol: the group leader runs the
/// one the broker selected over every member's subscription. Names are the ones Java and
/// librdkafka put in JoinGroup, so mixed groups agree on the protocol.
/// </summary>
public interface IPartitionAssignor
{
    /// <summary>The protocol name in JoinGroup: range, roundrobin, sticky, cooperative-sticky.</summary>
    string Name { get; }

    /// <summary>True for incremental cooperative rebalancing (KIP-429): members keep what does not move.</summary>
    bool IsCooperative { get; }

    /// <summary>Extra bytes this member puts in its subscription (the sticky assignor's previous assignment).</summary>
    byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generationId);

    /// <summary>Partitions per member id. <paramref name="partitionCounts"/> has every subscribed topic that exists.</summary>
    IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyList<MemberSubscription> members);
}

/// <summary>The assignors by partition.assignment.strategy name (also Java's class names, as Java accepts them).</summary>
public static class PartitionAssignors
{
    public static IPartitionAssignor Create(string name) => name.Trim() switch
    {
        "range" or "org.apache.kafka.clients.consumer.RangeAssignor" => new RangeAssignor(),
        "roundrobin" or "org.apache.kafka.clients.consumer.RoundRobinAssignor" => new RoundRobinAssignor(),
        "sticky" or "org.apache.kafka.clients.consumer.StickyAssignor" => new StickyAssignor(cooperative: false),
        "cooperative-sticky" or "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" => new StickyAssignor(cooperative: true),
        var other => throw new KafkaConfigException($"partition.assignment.strategy has no assignor '{other}' (range, roundrobin, sticky, cooperative-sticky)"),
    };

    /// <summary>
    /// Members in the order Java's assignors use: static members by group.instance.id first, then
    /// dynamic ones by member id. Range and round robin hand out partitions in this order.
    /// </summary>
    internal static IEnumerable<MemberSubscription> Ordered(IEnumerable<MemberSubscription> members) =>
        members.OrderBy(m => m.GroupInstanceId is null ? 1 : 0)
            .ThenBy(m => m.GroupInstanceId ?? m.MemberId, StringComparer.Ordinal);

    internal static Dictionary<string, List<TopicPartition>> Empty(IReadOnlyList<MemberSubscription> members) =>
        members.ToDictionary(m => m.MemberId, _ => new List<TopicPartition>());
}

/// <summary>
/// range: per topic, the partitions in order split into contiguous ranges over the members
/// subscribed to it (ordered), the first <c>partitions % members</c> members getting one more.
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";

    public bool IsCooperative => false;

    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generationId) => null;

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyList<MemberSubscription> members)
    {
        var result = PartitionAssignors.Empty(members);
        foreach (var (topic, count) in partitionCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var subscribed = PartitionAssignors.Ordered(members.Where(m => m.Topics.Contains(topic))).ToArray();
            if (subscribed.Length == 0)
            {
                continue;
            }
            var each = count / subscribed.Length;
            var extra = count % subscribed.Length;
            for (var i = 0; i < subscribed.Length; i++)
            {
                var start = (each * i) + Math.Min(i, extra);
                var length = each + (i < extra ? 1 : 0);
                for (var p = start; p < start + length; p++)
                {
                    result[subscribed[i].MemberId].Add(new TopicPartition(topic, p));
                }
            }
        }
        return result;
    }
}

/// <summary>
/// roundrobin: every partition of every subscribed topic (topics by name, partitions in order)
/// dealt in turn to the members (ordered), skipping members not subscribed to its topic.
/// </summary>
public sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => "roundrobin";

    public bool IsCooperative => false;

    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generationId) => null;

    public IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionCounts, IReadOnlyList<MemberSubscription> members)
    {
        var result = PartitionAssignors.Empty(members);
        var ordered = PartitionAssignors.Ordered(members).ToArray();
        if (ordered.Length == 0)
        {
            return result;
        }
        var next = 0;
        foreach (var (topic, count) in partitionCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!ordered.Any(m => m.Topics.Contains(topic)))
            {
                continue;
            }
            for (var p = 0; p < count; p++)
            {
                while (!ordered[next % ordered.Length].Topics.Contains(topic))
                {
                    next++;
                }
                result[ordered[next % ordered.Length].MemberId].Add(new TopicPartition(topic, p));
                next++;
            }
        }
        return result;
    }
}
