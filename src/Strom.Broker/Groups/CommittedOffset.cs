namespace Strom.Broker.Groups;

/// <summary>
/// A committed offset as the coordinator keeps it: the offset, the leader epoch of the record
/// before it (-1 when unknown), the client's metadata string, when it was committed and, from
/// OffsetCommit v1-v4 retention fields, an explicit expiry (-1 when none).
/// </summary>
public readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp, long ExpireTimestamp = -1);
