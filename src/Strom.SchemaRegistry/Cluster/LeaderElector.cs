using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strom.Client;
using Strom.Client.Cluster;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.SchemaRegistry.Cluster;

/// <summary>How a registry instance presents itself to its peers (Confluent's member metadata JSON).</summary>
public sealed record RegistryIdentity(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("scheme")] string Scheme,
    [property: JsonPropertyName("leader_eligibility")] bool LeaderEligibility)
{
    [JsonIgnore]
    public Uri Url => new($"{Scheme}://{Host}:{Port}");
}

/// <summary>What the group leader hands every member: the elected registry leader (Confluent's assignment JSON).</summary>
internal sealed record LeaderAssignment(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("error")] int Error,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("leader_identity")] RegistryIdentity? LeaderIdentity);

/// <summary>
/// Elects one writer among registry instances sharing a store, as Confluent does: every instance
/// joins a Kafka group (protocol type "sr") with its URL and eligibility as member metadata; the
/// group's leader picks the eligible member with the smallest URL and hands that choice to all in
/// SyncGroup. Heartbeats keep the membership; a rebalance (a member joins, leaves or dies) elects
/// again. Before this instance reports itself leader, <see cref="Elected"/> runs (the store catches up).
/// </summary>
public sealed partial class LeaderElector : IAsyncDisposable
{
    public const string ProtocolType = "sr";
    private const string ProtocolName = "v0";
    private const int SessionTimeoutMs = 10_000;
    private const int HeartbeatIntervalMs = 1_000;

    private readonly KafkaCluster _cluster;
    private readonly string _groupId;
    private readonly RegistryIdentity _identity;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int? _coordinator;
    private string _memberId = "";
    private int _generation = -1;
    private volatile RegistryIdentity? _leader;
    private volatile bool _isLeader;

    public LeaderElector(IReadOnlyDictionary<string, string> kafkaConfig, string groupId, RegistryIdentity identity, ILogger? logger = null)
    {
        _cluster = new KafkaCluster(ClientOptions.FromConfig(kafkaConfig));
        _groupId = groupId;
        _identity = identity;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Runs when this instance has been elected, before <see cref="IsLeader"/> turns true.</summary>
    public Func<CancellationToken, Task>? Elected { get; init; }

    public RegistryIdentity Identity => _identity;

    /// <summary>Whether this instance is the writer now.</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The elected writer's identity; null while no leader is known.</summary>
    public RegistryIdentity? Leader => _leader;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Completes once a leader is known (this instance or another).</summary>
    public async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        while (_leader is null)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        var rejoin = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (rejoin)
                {
                    await JoinAsync(cancellationToken).ConfigureAwait(false);
                    rejoin = false;
                }
                await Task.Delay(HeartbeatIntervalMs, cancellationToken).ConfigureAwait(false);
                rejoin = !await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
                attempt = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogElectionFailed(_logger, _groupId, e);
                _coordinator = null;
                _isLeader = false;
                _leader = null;
                rejoin = true;
                try
                {
                    await Task.Delay(Math.Min(2000, 100 << Math.Min(attempt++, 5)), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>JoinGroup (retrying with the member id handed out), the leader's choice, SyncGroup, then catch-up if elected.</summary>
    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        _isLeader = false;
        _leader = null;
        JoinGroupResponse join;
        while (true)
        {
            join = await SendAsync<JoinGroupResponse>(new JoinGroupRequest
            {
                GroupId = _groupId,
                SessionTimeoutMs = SessionTimeoutMs,
                RebalanceTimeoutMs = SessionTimeoutMs,
                MemberId = _memberId,
                ProtocolType = ProtocolType,
                Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = ProtocolName, Metadata = JsonSerializer.SerializeToUtf8Bytes(_identity) }],
                Reason = "schema registry leader election",
            }, TimeSpan.FromMilliseconds(SessionTimeoutMs + 5000), cancellationToken).ConfigureAwait(false);
            var error = (ErrorCode)join.ErrorCode;
            if (error == ErrorCode.MemberIdRequired)
            {
                _memberId = join.MemberId;
                continue;
            }
            if (error == ErrorCode.UnknownMemberId)
            {
                _memberId = "";
            }
            if (error != ErrorCode.None)
            {
                throw new KafkaException(error, $"join group '{_groupId}'");
            }
            break;
        }
        _memberId = join.MemberId;
        _generation = join.GenerationId;
        var assignments = new List<SyncGroupRequest.SyncGroupRequestAssignment>();
        if (join.Leader == join.MemberId)
        {
            var assignment = JsonSerializer.SerializeToUtf8Bytes(Choose(join.Members));
            assignments.AddRange(join.Members.Select(m => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = m.MemberId, Assignment = assignment }));
        }
        var sync = await SendAsync<SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = _groupId,
            GenerationId = _generation,
            MemberId = _memberId,
            ProtocolType = ProtocolType,
            ProtocolName = ProtocolName,
            Assignments = assignments,
        }, TimeSpan.FromMilliseconds(SessionTimeoutMs + 5000), cancellationToken).ConfigureAwait(false);
        if ((ErrorCode)sync.ErrorCode != ErrorCode.None)
        {
            throw new KafkaException((ErrorCode)sync.ErrorCode, $"sync group '{_groupId}'");
        }
        var chosen = sync.Assignment.Length == 0 ? null : JsonSerializer.Deserialize<LeaderAssignment>(sync.Assignment);
        if (chosen?.LeaderIdentity is not { } leader || chosen.Error != 0)
        {
            LogNoLeader(_logger, _groupId, _generation);
            return;
        }
        if (chosen.Leader == _memberId && Elected is { } elected)
        {
            await elected(cancellationToken).ConfigureAwait(false);
        }
        _leader = leader;
        _isLeader = chosen.Leader == _memberId;
        LogElected(_logger, leader.Url, _generation, _isLeader);
    }

    /// <summary>The group leader's choice: the eligible member with the smallest URL (deterministic), or an error when none is eligible.</summary>
    private static LeaderAssignment Choose(IEnumerable<JoinGroupResponse.JoinGroupResponseMember> members)
    {
        var candidates = new List<(string MemberId, RegistryIdentity Identity)>();
        foreach (var member in members)
        {
            try
            {
                if (JsonSerializer.Deserialize<RegistryIdentity>(member.Metadata) is { LeaderEligibility: true } identity)
                {
                    candidates.Add((member.MemberId, identity));
                }
            }
            catch (JsonException)
            {
                // A member that does not speak this protocol's JSON is never chosen.
            }
        }
        var winner = candidates.OrderBy(c => c.Identity.Url.ToString(), StringComparer.Ordinal).ThenBy(c => c.MemberId, StringComparer.Ordinal).FirstOrDefault();
        return winner.Identity is null ? new LeaderAssignment(1, 1, null, null) : new LeaderAssignment(1, 0, winner.MemberId, winner.Identity);
    }

    /// <summary>One heartbeat; false when the member must join again (a rebalance, or it was removed).</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        var response = await SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = _groupId, GenerationId = _generation, MemberId = _memberId },
            null, cancellationToken).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        if (error == ErrorCode.UnknownMemberId)
        {
            _memberId = "";
        }
        if (error is ErrorCode.None)
        {
            return true;
        }
        if (error is ErrorCode.RebalanceInProgress or ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration)
        {
            return false;
        }
        throw new KafkaException(error, $"heartbeat to group '{_groupId}'");
    }

    private async Task<TResponse> SendAsync<TResponse>(IRequestMessage request, TimeSpan? timeout, CancellationToken cancellationToken)
        where TResponse : class, IResponseMessage
    {
        if (_coordinator is not { } node)
        {
            var found = await _cluster.SendToAnyAsync<FindCoordinatorResponse>(
                new FindCoordinatorRequest { Key = _groupId, KeyType = 0, CoordinatorKeys = [_groupId] }, cancellationToken).ConfigureAwait(false);
            var (error, message, id) = found.Coordinators.Count > 0
                ? (found.Coordinators[0].ErrorCode, found.Coordinators[0].ErrorMessage, found.Coordinators[0].NodeId)
                : (found.ErrorCode, found.ErrorMessage, found.NodeId);
            if ((ErrorCode)error != ErrorCode.None)
            {
                throw new KafkaException((ErrorCode)error, message ?? $"find coordinator of group '{_groupId}'");
            }
            if (!_cluster.Metadata.Brokers.ContainsKey(id))
            {
                await _cluster.RefreshAsync([], allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
            }
            node = id;
            _coordinator = node;
        }
        var connection = await _cluster.GetConnectionAsync(KafkaCluster.CoordinatorConnectionId(node), cancellationToken).ConfigureAwait(false);
        return timeout is { } t
            ? await connection.SendAsync<TResponse>(request, t, cancellationToken).ConfigureAwait(false)
            : await connection.SendAsync<TResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the group so that a peer takes over at once rather than after the session timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _isLeader = false;
        _leader = null;
        if (_memberId.Length > 0)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await SendAsync<LeaveGroupResponse>(new LeaveGroupRequest
                {
                    GroupId = _groupId,
                    MemberId = _memberId,
                    Members = [new LeaveGroupRequest.MemberIdentity { MemberId = _memberId, Reason = "schema registry stopping" }],
                }, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KafkaException or OperationCanceledException)
            {
                // The coordinator expires the member after its session timeout instead.
            }
        }
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Schema registry leader is {Leader} (generation {Generation}, this instance: {IsLeader})")]
    private static partial void LogElected(ILogger logger, Uri leader, int generation, bool isLeader);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "No leader-eligible schema registry in group {Group} (generation {Generation})")]
    private static partial void LogNoLeader(ILogger logger, string group, int generation);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Schema registry leader election in group {Group} failed; retrying")]
    private static partial void LogElectionFailed(ILogger logger, string group, Exception exception);
}
