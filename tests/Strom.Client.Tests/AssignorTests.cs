using Strom.Client.Consumer.Groups;

namespace Strom.Client.Tests;

public class AssignorTests
{
    private static MemberSubscription Member(string id, string[] topics, TopicPartition[]? owned = null, int generation = -1, string? instance = null) =>
        new(id, instance, topics, owned ?? [], generation, null, null);

    private static string Show(IReadOnlyDictionary<string, List<TopicPartition>> result, string member) =>
        string.Join(",", result[member].Select(tp => $"{tp.Topic}{tp.Partition}"));

    [Fact]
    public void RangeGivesContiguousRangesFirstMembersOneMore()
    {
        var members = new[] { Member("c", ["t"]), Member("a", ["t"]), Member("b", ["t"]) };
        var result = new RangeAssignor().Assign(new Dictionary<string, int> { ["t"] = 7 }, members);
        Assert.Equal("t0,t1,t2", Show(result, "a"));
        Assert.Equal("t3,t4", Show(result, "b"));
        Assert.Equal("t5,t6", Show(result, "c"));
    }

    [Fact]
    public void RangeOrdersStaticMembersByInstanceIdFirst()
    {
        var members = new[] { Member("a", ["t"]), Member("z", ["t"], instance: "i1") };
        var result = new RangeAssignor().Assign(new Dictionary<string, int> { ["t"] = 2 }, members);
        Assert.Equal("t0", Show(result, "z"));
        Assert.Equal("t1", Show(result, "a"));
    }

    [Fact]
    public void RoundRobinDealsAcrossTopicsSkippingUnsubscribedMembers()
    {
        var members = new[] { Member("a", ["t", "u"]), Member("b", ["t"]) };
        var result = new RoundRobinAssignor().Assign(new Dictionary<string, int> { ["t"] = 3, ["u"] = 2 }, members);
        Assert.Equal("t0,t2,u0,u1", Show(result, "a"));
        Assert.Equal("t1", Show(result, "b"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StickyKeepsOwnedPartitionsAndBalances(bool cooperative)
    {
        var tps = Enumerable.Range(0, 6).Select(p => new TopicPartition("t", p)).ToArray();
        var members = new[]
        {
            Member("a", ["t"], [tps[0], tps[1], tps[2]], 1),
            Member("b", ["t"], [tps[3], tps[4], tps[5]], 1),
            Member("c", ["t"]),
        };
        var result = new StickyAssignor(cooperative).Assign(new Dictionary<string, int> { ["t"] = 6 }, members);
        Assert.Equal(2, result["a"].Count);
        Assert.Equal(2, result["b"].Count);
        Assert.Subset(tps[..3].ToHashSet(), result["a"].ToHashSet());
        Assert.Subset(tps[3..].ToHashSet(), result["b"].ToHashSet());
        // Eager sticky hands the two moved partitions to c now; cooperative withholds them until their owners revoke.
        Assert.Equal(cooperative ? 0 : 2, result["c"].Count);
    }

    [Fact]
    public void StickyHigherGenerationWinsAConflictingClaim()
    {
        var tp = new TopicPartition("t", 0);
        var members = new[] { Member("a", ["t"], [tp], 3), Member("b", ["t"], [tp], 5) };
        var result = new StickyAssignor(false).Assign(new Dictionary<string, int> { ["t"] = 1 }, members);
        Assert.Equal([tp], result["b"]);
        Assert.Empty(result["a"]);
    }

    [Fact]
    public void StickyUserDataRoundTripsAndFeedsOwnership()
    {
        var owned = new[] { new TopicPartition("t", 1), new TopicPartition("u", 0) };
        var data = StickyAssignor.EncodeUserData(owned, 7);
        var decoded = StickyAssignor.DecodeUserData(data);
        Assert.NotNull(decoded);
        Assert.Equal(owned, decoded.Value.Owned);
        Assert.Equal(7, decoded.Value.Generation);
        Assert.Null(StickyAssignor.DecodeUserData(data.AsSpan(0, 9)));

        var members = new[] { new MemberSubscription("a", null, ["t", "u"], [], -1, null, data), Member("b", ["t", "u"]) };
        var result = new StickyAssignor(false).Assign(new Dictionary<string, int> { ["t"] = 2, ["u"] = 2 }, members);
        Assert.Subset(owned.ToHashSet(), result["a"].ToHashSet());
    }

    [Fact]
    public void ConsumerProtocolRoundTripsAndReadsNewerVersions()
    {
        var owned = new[] { new TopicPartition("t", 2) };
        var bytes = ConsumerProtocol.EncodeSubscription(["u", "t"], owned, 4, "rack1", [1, 2]);
        Assert.Equal(3, (bytes[0] << 8) | bytes[1]);
        var member = ConsumerProtocol.DecodeSubscription("m", "i", bytes);
        Assert.Equal(["t", "u"], member.Topics);
        Assert.Equal(owned, member.OwnedPartitions);
        Assert.Equal(4, member.GenerationId);
        Assert.Equal("rack1", member.RackId);
        Assert.Equal([1, 2], member.UserData);

        var assignment = ConsumerProtocol.EncodeAssignment([new TopicPartition("t", 1), new TopicPartition("t", 0)]);
        assignment[1] = 9; // a future version: read as the highest known
        Assert.Equal([new TopicPartition("t", 0), new TopicPartition("t", 1)], ConsumerProtocol.DecodeAssignment(assignment));
        Assert.Empty(ConsumerProtocol.DecodeAssignment([]));
        Assert.ThrowsAny<Exception>(() => ConsumerProtocol.DecodeAssignment(assignment.AsSpan(0, 5)));
    }
}
