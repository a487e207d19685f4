namespace Strom.Broker.Groups;

/// <summary>
/// The classic group protocol's states. Empty: no members (offsets may remain).
/// PreparingRebalance: waiting for members to (re)join. CompletingRebalance: joined, waiting for
/// the leader's assignment. Stable: assignment handed out. Dead: removed; requests retry.
/// </summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

public static class GroupStates
{
    /// <summary>The state names ListGroups and DescribeGroups report (Kafka's spelling).</summary>
    public static string Name(GroupState state) => state switch
    {
        GroupState.Empty => "Empty",
        GroupState.PreparingRebalance => "PreparingRebalance",
        GroupState.CompletingRebalance => "CompletingRebalance",
        GroupState.Stable => "Stable",
        _ => "Dead",
    };

    public static GroupState? Parse(string name)
    {
        foreach (var state in Enum.GetValues<GroupState>())
        {
            if (string.Equals(Name(state), name, StringComparison.OrdinalIgnoreCase))
            {
                return state;
            }
        }
        return null;
    }
}
