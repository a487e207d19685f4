using System.Buffers;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Storage;

namespace Strom.Broker.Groups;

/// <summary>
/// A classic-protocol group: members in join order (the first becomes leader), static members
/// by group.instance.id, members that were handed an id but have not joined with it yet
/// (KIP-394), the generation and selected protocol, and the committed offsets. Every field is
/// read and written under <see cref="Sync"/>; the coordinator drives the state machine.
/// </summary>
public sealed class ClassicGroup(string groupId)
{
    private readonly List<GroupMember> _members = [];
    private readonly Dictionary<string, GroupMember> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);

    public string GroupId { get; } = groupId;
    public Lock Sync { get; } = new();
    public GroupState State { get; private set; } = GroupState.Empty;
    public GroupState PreviousState { get; private set; } = GroupState.Empty;

    /// <summary>When the group entered its current state (ms since the epoch; -1 unknown).</summary>
    public long CurrentStateTimestamp { get; set; } = -1;

    public int GenerationId { get; set; }

    /// <summary>"consumer", "connect"...; null for groups that only commit offsets.</summary>
    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }
    public string? LeaderId { get; set; }
    public IReadOnlyList<GroupMember> Members => _members;
    public int MemberCount => _members.Count;
    public bool IsEmpty => _members.Count == 0;

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, each with its expiry.</summary>
    public Dictionary<string, ITimer> PendingMembers { get; } = new(StringComparer.Ordinal);

    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    /// <summary>The delayed join: initial delay for an empty group, else the rebalance timeout.</summary>
    public ITimer? JoinTimer { get; set; }

    /// <summary>Identifies the armed join timer, so a superseded one that fires anyway is ignored.</summary>
    public int JoinTimerToken { get; set; }

    /// <summary>The join phase started from Empty and is in its initial delay.</summary>
    public bool InitialDelay { get; set; }

    public bool NewMemberAdded { get; set; }
    public int InitialDelayRemainingMs { get; set; }

    /// <summary>Members that have not sent SyncGroup within the rebalance timeout are removed.</summary>
    public ITimer? SyncTimer { get; set; }

    public bool IsIn(GroupState state) => State == state;

    public void TransitionTo(GroupState state, long nowMs)
    {
        PreviousState = State;
        State = state;
        CurrentStateTimestamp = nowMs;
    }

    public GroupMember? Get(string memberId) => _byId.GetValueOrDefault(memberId);

    public bool Has(string memberId) => _byId.ContainsKey(memberId);

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public string? StaticMemberId(string groupInstanceId) => _staticMembers.GetValueOrDefault(groupInstanceId);

    public void Add(GroupMember member)
    {
        if (_members.Count == 0)
        {
            ProtocolType = member.ProtocolType;
        }
        _members.Add(member);
        _byId[member.MemberId] = member;
        if (member.GroupInstanceId is { } instanceId)
        {
            _staticMembers[instanceId] = member.MemberId;
        }
        LeaderId ??= member.MemberId;
    }

    public void Remove(string memberId)
    {
        if (!_byId.Remove(memberId, out var member))
        {
            return;
        }
        _members.Remove(member);
        if (member.GroupInstanceId is { } instanceId && _staticMembers.GetValueOrDefault(instanceId) == memberId)
        {
            _staticMembers.Remove(instanceId);
        }
        if (LeaderId == memberId)
        {
            LeaderId = _members.Count > 0 ? _members[0].MemberId : null;
        }
    }

    /// <summary>KIP-345: the instance id now belongs to <paramref name="newMemberId"/>; leadership moves with it.</summary>
    public GroupMember ReplaceStaticMember(string groupInstanceId, string oldMemberId, string newMemberId)
    {
        var member = _byId[oldMemberId];
        _byId.Remove(oldMemberId);
        member.MemberId = newMemberId;
        _byId[newMemberId] = member;
        _staticMembers[groupInstanceId] = newMemberId;
        if (LeaderId == oldMemberId)
        {
            LeaderId = newMemberId;
        }
        return member;
    }

    /// <summary>
    /// Who may act as <paramref name="memberId"/>: a static member must present the member id
    /// its instance id maps to (else FENCED_INSTANCE_ID); anyone else must be a member.
    /// </summary>
    public ErrorCode ValidateMember(string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null)
        {
            var current = StaticMemberId(groupInstanceId);
            if (current is null)
            {
                return ErrorCode.UnknownMemberId;
            }
            return current == memberId ? ErrorCode.None : ErrorCode.FencedInstanceId;
        }
        return Has(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    /// <summary>The longest rebalance timeout of any member: how long the join phase may take.</summary>
    public int RebalanceTimeoutMs
    {
        get
        {
            var max = 0;
            foreach (var m in _members)
            {
                max = Math.Max(max, m.RebalanceTimeoutMs);
            }
            return max;
        }
    }

    /// <summary>Every member has sent JoinGroup and no handed-out member id is still outstanding.</summary>
    public bool AllMembersJoined => PendingMembers.Count == 0 && _members.TrueForAll(m => m.AwaitingJoin is not null);

    /// <summary>
    /// An empty group takes any non-empty protocol list; otherwise the type must match and at
    /// least one of the protocols must be supported by every current member.
    /// </summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<MemberProtocol> protocols)
    {
        if (_members.Count == 0)
        {
            return protocolType.Length > 0 && protocols.Count > 0;
        }
        if (protocolType != ProtocolType)
        {
            return false;
        }
        foreach (var p in protocols)
        {
            if (_members.TrueForAll(m => m.MetadataFor(p.Name) is not null))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The protocols every member supports; each member votes for the first of them in its own
    /// preference order; the most votes win, ties going to the leader's preference.
    /// </summary>
    public string? SelectProtocol()
    {
        if (_members.Count == 0)
        {
            return null;
        }
        var first = _byId.GetValueOrDefault(LeaderId ?? "") ?? _members[0];
        var candidates = first.Protocols.Select(p => p.Name)
            .Where(name => _members.TrueForAll(m => m.MetadataFor(name) is not null))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in _members)
        {
            var choice = m.Protocols.First(p => candidates.Contains(p.Name)).Name;
            votes[choice] = votes.GetValueOrDefault(choice) + 1;
        }
        var best = candidates[0];
        foreach (var name in candidates)
        {
            if (votes.GetValueOrDefault(name) > votes.GetValueOrDefault(best))
            {
                best = name;
            }
        }
        return best;
    }

    /// <summary>
    /// The topics the members subscribe to when the group uses the consumer protocol; null when
    /// the group does not, or a subscription cannot be decoded (then nothing counts as unsubscribed).
    /// </summary>
    public HashSet<string>? SubscribedTopics()
    {
        if (ProtocolType != "consumer" || ProtocolName is null)
        {
            return null;
        }
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in _members)
        {
            if (m.MetadataFor(ProtocolName) is not { Length: >= 2 } metadata)
            {
                return null;
            }
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(metadata));
            if (!reader.TryReadBigEndian(out short version) || version < 0)
            {
                return null;
            }
            try
            {
                if (!ConsumerProtocolSubscription.TryRead(ref reader, Math.Min(version, ConsumerProtocolSubscription.HighestVersion), out var subscription))
                {
                    return null;
                }
                topics.UnionWith(subscription.Topics);
            }
            catch (ProtocolException)
            {
                return null;
            }
        }
        return topics;
    }
}
