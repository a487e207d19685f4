using Strom.Protocol.Messages;

namespace Strom.Broker.Groups;

/// <summary>A protocol a member supports (e.g. "range") with its opaque metadata (the subscription).</summary>
public sealed record MemberProtocol(string Name, byte[] Metadata);

/// <summary>
/// One member of a classic group: who it is, what it supports, its timeouts, the assignment the
/// leader gave it, and the JoinGroup/SyncGroup responses it is waiting for. Guarded by the
/// group's lock.
/// </summary>
public sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
{
    public string MemberId { get; set; } = memberId;
    public string? GroupInstanceId { get; } = groupInstanceId;
    public string ClientId { get; set; } = clientId;
    public string ClientHost { get; set; } = clientHost;
    public int RebalanceTimeoutMs { get; set; }
    public int SessionTimeoutMs { get; set; }
    public string ProtocolType { get; set; } = "";
    public IReadOnlyList<MemberProtocol> Protocols { get; set; } = [];
    public byte[] Assignment { get; set; } = [];

    /// <summary>Joined but not yet through a completed join phase: expires by the new-member timeout.</summary>
    public bool IsNew { get; set; }

    /// <summary>Its JoinGroup response, while it waits for the join phase to complete.</summary>
    public TaskCompletionSource<JoinGroupResponse>? AwaitingJoin { get; set; }

    /// <summary>Its SyncGroup response, while it waits for the leader's assignment.</summary>
    public TaskCompletionSource<SyncGroupResponse>? AwaitingSync { get; set; }

    /// <summary>Sent SyncGroup in the current generation (for the pending-sync timeout).</summary>
    public bool HasSynced { get; set; }

    /// <summary>Session (or new-member) expiry; re-armed by every heartbeat, join and sync.</summary>
    public ITimer? SessionTimer { get; set; }

    public byte[]? MetadataFor(string? protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol)
            {
                return p.Metadata;
            }
        }
        return null;
    }

    /// <summary>Same protocols, same order, same metadata bytes.</summary>
    public bool Matches(IReadOnlyList<MemberProtocol> protocols)
    {
        if (protocols.Count != Protocols.Count)
        {
            return false;
        }
        for (var i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }
        return true;
    }
}
