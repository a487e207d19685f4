using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Messages.GroupCoordinator;
using Strom.Storage;

namespace Strom.Broker.Groups;

/// <summary>
/// The classic group coordinator (Kafka's JoinGroup/SyncGroup protocol) for every group on this
/// node, with committed offsets kept in memory and persisted to __consumer_offsets. Each group
/// has its own lock; JoinGroup and SyncGroup answers are tasks completed when the rebalance
/// gets there, so no thread waits. Timers come from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class GroupCoordinator : IDisposable
{
    private readonly ConcurrentDictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly GroupCoordinatorOptions _options;
    private readonly OffsetsTopic _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, int, bool> _partitionExists;
    private ITimer? _expiryTimer;
    private volatile bool _disposed;

    /// <param name="partitionExists">Whether a topic-partition exists (commits to unknown ones are refused).</param>
    public GroupCoordinator(GroupCoordinatorOptions options, OffsetsTopic store, TimeProvider time, ILogger logger, Func<string, int, bool> partitionExists)
    {
        _options = options;
        _store = store;
        _time = time;
        _logger = logger;
        _partitionExists = partitionExists;
    }

    public GroupCoordinatorOptions Options => _options;

    public OffsetsTopic Store => _store;

    /// <summary>The group's current state, for tests and tools; null when unknown.</summary>
    public GroupState? StateOf(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return null;
        }
        lock (group.Sync)
        {
            return group.State;
        }
    }

    /// <summary>
    /// Group ids are non-empty and must fit the int16-length string of the __consumer_offsets
    /// record key (flexible request versions could carry longer ones).
    /// </summary>
    public static ErrorCode ValidateGroupId(string? groupId) =>
        string.IsNullOrEmpty(groupId) || Encoding.UTF8.GetByteCount(groupId) > short.MaxValue ? ErrorCode.InvalidGroupId : ErrorCode.None;

    /// <summary>Rebuilds every group and its offsets from __consumer_offsets, then starts offset expiry.</summary>
    public void Load()
    {
        var metadata = new Dictionary<string, GroupMetadataValue?>(StringComparer.Ordinal);
        var offsets = new Dictionary<string, Dictionary<TopicPartition, CommittedOffset>>(StringComparer.Ordinal);
        var records = 0;
        foreach (var (key, value) in _store.ReadAll())
        {
            object? parsed;
            try
            {
                parsed = GroupRecords.Parse(key, value);
            }
            catch (Exception ex) when (ex is InvalidDataException or ProtocolException)
            {
                LogBadRecord(_logger, ex.Message);
                continue;
            }
            records++;
            switch (parsed)
            {
                case OffsetRecord o:
                    if (!offsets.TryGetValue(o.GroupId, out var map))
                    {
                        offsets[o.GroupId] = map = [];
                    }
                    if (o.Offset is { } committed)
                    {
                        map[o.Partition] = committed;
                    }
                    else
                    {
                        map.Remove(o.Partition);
                    }
                    break;
                case GroupMetadataRecord g:
                    metadata[g.GroupId] = g.Value;
                    break;
            }
        }
        foreach (var id in metadata.Keys.Union(offsets.Keys))
        {
            var value = metadata.GetValueOrDefault(id);
            var groupOffsets = offsets.GetValueOrDefault(id);
            if (value is null && (groupOffsets is null || groupOffsets.Count == 0))
            {
                continue;
            }
            var group = new ClassicGroup(id);
            lock (group.Sync)
            {
                if (value is not null)
                {
                    Restore(group, value);
                }
                foreach (var (tp, o) in groupOffsets ?? [])
                {
                    group.Offsets[tp] = o;
                }
            }
            _groups[id] = group;
        }
        LogLoaded(_logger, _groups.Count, records);
        var interval = TimeSpan.FromMilliseconds(_options.OffsetsRetentionCheckIntervalMs);
        _expiryTimer = _time.CreateTimer(_ => ExpireOffsets(), null, interval, interval);
    }

    private void Restore(ClassicGroup group, GroupMetadataValue value)
    {
        group.GenerationId = value.generation;
        group.ProtocolType = string.IsNullOrEmpty(value.protocolType) ? null : value.protocolType;
        group.ProtocolName = value.protocol;
        foreach (var m in value.members)
        {
            var member = new GroupMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost)
            {
                RebalanceTimeoutMs = m.rebalanceTimeout,
                SessionTimeoutMs = m.sessionTimeout,
                ProtocolType = value.protocolType,
                Protocols = [new MemberProtocol(value.protocol ?? "", m.subscription)],
                Assignment = m.assignment,
            };
            group.Add(member);
            ArmSession(group, member, member.SessionTimeoutMs);
        }
        group.LeaderId = value.leader is { } leader && group.Has(leader) ? leader : group.Members.FirstOrDefault()?.MemberId;
        group.TransitionTo(group.IsEmpty ? GroupState.Empty : GroupState.Stable, value.currentStateTimestamp);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private ClassicGroup? Find(string groupId) => _groups.GetValueOrDefault(groupId);

    private ClassicGroup GetOrCreate(string groupId) =>
        _groups.GetOrAdd(groupId, id =>
        {
            var group = new ClassicGroup(id);
            group.TransitionTo(GroupState.Empty, NowMs);
            return group;
        });

    /// <summary>Removes a group that went Dead (its lock is held), unless a new one took its place.</summary>
    private void Forget(ClassicGroup group) =>
        _groups.TryRemove(new KeyValuePair<string, ClassicGroup>(group.GroupId, group));

    private ErrorCode PersistGroup(ClassicGroup group) =>
        _store.Append(group.GroupId, [(GroupRecords.GroupMetadataKey(group.GroupId), GroupRecords.GroupMetadataValue(group))], NowMs);

    /// <summary>(Re)starts a member's session: it is removed unless it is heard from within <paramref name="timeoutMs"/>.</summary>
    private void ArmSession(ClassicGroup group, GroupMember member, int timeoutMs)
    {
        if (_disposed)
        {
            return;
        }
        var due = TimeSpan.FromMilliseconds(Math.Max(timeoutMs, 1));
        if (member.SessionTimer is { } timer)
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            member.SessionTimer = _time.CreateTimer(_ => OnSessionExpired(group, member), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _expiryTimer?.Dispose();
        foreach (var group in _groups.Values)
        {
            lock (group.Sync)
            {
                group.JoinTimer?.Dispose();
                group.SyncTimer?.Dispose();
                foreach (var timer in group.PendingMembers.Values)
                {
                    timer.Dispose();
                }
                foreach (var m in group.Members)
                {
                    m.SessionTimer?.Dispose();
                    m.AwaitingJoin?.TrySetResult(JoinError(m.MemberId, ErrorCode.CoordinatorNotAvailable));
                    m.AwaitingSync?.TrySetResult(SyncError(ErrorCode.CoordinatorNotAvailable));
                }
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loaded {GroupCount} groups from {RecordCount} __consumer_offsets records")]
    private static partial void LogLoaded(ILogger logger, int groupCount, int recordCount);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Skipping an unreadable __consumer_offsets record: {Reason}")]
    private static partial void LogBadRecord(ILogger logger, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Group {GroupId}: preparing to rebalance generation {Generation} ({Reason})")]
    private static partial void LogRebalance(ILogger logger, string groupId, int generation, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Group {GroupId}: generation {Generation} with {MemberCount} members, protocol {Protocol}")]
    private static partial void LogGeneration(ILogger logger, string groupId, int generation, int memberCount, string? protocol);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Group {GroupId}: member {MemberId} removed ({Reason})")]
    private static partial void LogMemberRemoved(ILogger logger, string groupId, string memberId, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Removed {OffsetCount} expired offsets and {GroupCount} groups")]
    private static partial void LogExpired(ILogger logger, int offsetCount, int groupCount);
}
