using System.Text.RegularExpressions;
using Strom.Client.Cluster;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Consumer.Groups;

/// <summary>
/// One consumer's membership of a classic consumer group (Kafka protocol guide, "The consumer
/// group protocol"): FindCoordinator, JoinGroup (retrying with the member id the broker hands
/// out, KIP-394), the leader's assignment, SyncGroup, then a background loop that heartbeats,
/// auto-commits and watches the subscription. A rebalance the coordinator announces through
/// a heartbeat makes the member rejoin; eager protocols revoke everything first, cooperative
/// ones (KIP-429) revoke only what moved and then rejoin once more. A member that learns it
/// was removed (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) reports its partitions lost.
/// </summary>
internal sealed partial class GroupMembership : IAsyncDisposable
{
    private readonly KafkaConsumer _consumer;
    private readonly KafkaCluster _cluster;
    private readonly ConsumerOptions _options;
    private readonly string _groupId;
    private readonly IPartitionAssignor[] _assignors;
    private readonly bool _cooperative;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];
    private HashSet<TopicPartition> _owned = [];
    private IReadOnlyCollection<TopicPartition> _lastAssignment = [];
    private IReadOnlyList<string>? _topics;
    private Regex? _pattern;
    private IReadOnlyList<string> _joinedTopics = [];
    private Dictionary<string, int> _leaderCounts = [];
    private Task _loop = Task.CompletedTask;
    private int? _coordinator;
    private volatile bool _needRejoin = true;
    private volatile string _memberId = "";
    private volatile int _generation = -1;
    private volatile bool _isLeader;
    private DateTime _nextHeartbeat;
    private DateTime _nextAutoCommit;
    private DateTime _nextMetadataCheck;

    public GroupMembership(KafkaConsumer consumer, KafkaCluster cluster, ConsumerOptions options)
    {
        _consumer = consumer;
        _cluster = cluster;
        _options = options;
        _groupId = options.GroupId ?? throw new KafkaConfigException("group.id is required to subscribe or commit");
        _assignors = options.PartitionAssignmentStrategy.Select(PartitionAssignors.Create).ToArray();
        if (_assignors.Length == 0)
        {
            throw new KafkaConfigException("partition.assignment.strategy is empty");
        }
        // As Java's: cooperative only when every configured assignor supports it.
        _cooperative = _assignors.All(a => a.IsCooperative);
    }

    public string GroupId => _groupId;

    public string MemberId => _memberId;

    public int GenerationId => _generation;

    public bool IsLeader => _isLeader;

    /// <summary>The name of the assignor the coordinator chose for the current generation.</summary>
    public string? ProtocolName { get; private set; }

    /// <summary>A non-retriable group error (e.g. FENCED_INSTANCE_ID); the consumer surfaces it.</summary>
    public KafkaException? FatalError { get; private set; }

    public bool IsSubscribed
    {
        get
        {
            lock (_lock)
            {
                return _topics is not null || _pattern is not null;
            }
        }
    }

    public IReadOnlyList<string> Subscription
    {
        get
        {
            lock (_lock)
            {
                return _topics ?? _joinedTopics;
            }
        }
    }

    /// <summary>Sets the subscription (topics or a pattern); starts the loop on first use and rejoins when it changes.</summary>
    public void Subscribe(IReadOnlyList<string>? topics, Regex? pattern)
    {
        lock (_lock)
        {
            _topics = topics;
            _pattern = pattern;
            _needRejoin = true;
            _nextMetadataCheck = DateTime.MinValue;
            if (_loop.IsCompleted)
            {
                _loop = Task.Run(RunAsync);
            }
        }
        Wake();
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var attempt = 0;
        while (!token.IsCancellationRequested && FatalError is null)
        {
            try
            {
                if (!IsSubscribed)
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                    continue;
                }
                var now = DateTime.UtcNow;
                if (now >= _nextMetadataCheck)
                {
                    await CheckMetadataAsync(token).ConfigureAwait(false);
                    _nextMetadataCheck = DateTime.UtcNow.AddMilliseconds(Math.Max(_options.Client.MetadataMaxAgeMs, 100));
                }
                if (_needRejoin || _generation < 0)
                {
                    await JoinAndSyncAsync(token).ConfigureAwait(false);
                    _nextHeartbeat = DateTime.UtcNow.AddMilliseconds(_options.HeartbeatIntervalMs);
                    _nextAutoCommit = DateTime.UtcNow.AddMilliseconds(_options.AutoCommitIntervalMs);
                    attempt = 0;
                    continue;
                }
                now = DateTime.UtcNow;
                if (now >= _nextHeartbeat)
                {
                    _nextHeartbeat = now.AddMilliseconds(_options.HeartbeatIntervalMs);
                    await HeartbeatAsync(token).ConfigureAwait(false);
                }
                if (_options.EnableAutoCommit && now >= _nextAutoCommit)
                {
                    _nextAutoCommit = now.AddMilliseconds(_options.AutoCommitIntervalMs);
                    await AutoCommitAsync(token).ConfigureAwait(false);
                }
                attempt = 0;
                var next = new[] { _nextHeartbeat, _options.EnableAutoCommit ? _nextAutoCommit : DateTime.MaxValue, _nextMetadataCheck }.Min();
                var wait = next - DateTime.UtcNow;
                if (wait > TimeSpan.Zero && !_needRejoin)
                {
                    await _wake.WaitAsync(wait, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (KafkaException ex) when (IsFatal(ex.ErrorCode))
            {
                FatalError = ex;
                await LoseAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (ex is not KafkaException kafka || IsCoordinatorError(kafka.ErrorCode))
                {
                    _coordinator = null;
                }
                try
                {
                    await Task.Delay(_options.Client.Backoff(attempt++), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private static bool IsFatal(ErrorCode code) => code is ErrorCode.FencedInstanceId or ErrorCode.GroupAuthorizationFailed
        or ErrorCode.InvalidGroupId or ErrorCode.InconsistentGroupProtocol or ErrorCode.InvalidSessionTimeout
        or ErrorCode.GroupMaxSizeReached or ErrorCode.UnsupportedVersion;

    private static bool IsCoordinatorError(ErrorCode code) => code is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable
        or ErrorCode.NetworkException or ErrorCode.RequestTimedOut or ErrorCode.BrokerNotAvailable;

    /// <summary>The coordinator's connection, found with FindCoordinator (batched keys from v4) when not known.</summary>
    private async Task<Network.KafkaConnection> CoordinatorAsync(CancellationToken cancellationToken)
    {
        if (_coordinator is not { } node)
        {
            node = await FindCoordinatorAsync(cancellationToken).ConfigureAwait(false);
            _coordinator = node;
        }
        try
        {
            return await _cluster.GetConnectionAsync(KafkaCluster.CoordinatorConnectionId(node), cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            _coordinator = null;
            throw;
        }
    }

    private async Task<int> FindCoordinatorAsync(CancellationToken cancellationToken)
    {
        var request = new FindCoordinatorRequest { Key = _groupId, KeyType = 0, CoordinatorKeys = [_groupId] };
        var response = await _cluster.SendToAnyAsync<FindCoordinatorResponse>(request, cancellationToken).ConfigureAwait(false);
        var (error, message, node) = response.Coordinators.Count > 0
            ? (response.Coordinators[0].ErrorCode, response.Coordinators[0].ErrorMessage, response.Coordinators[0].NodeId)
            : (response.ErrorCode, response.ErrorMessage, response.NodeId);
        ClientThrow.IfError(error, message, $"find coordinator of group '{_groupId}'");
        if (!_cluster.Metadata.Brokers.ContainsKey(node))
        {
            await _cluster.RefreshAsync([], allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        }
        return node;
    }

    /// <summary>Sends to the coordinator; coordinator errors forget it so the next call finds it again.</summary>
    internal async Task<TResponse> SendToCoordinatorAsync<TResponse>(IRequestMessage request, TimeSpan? timeout, CancellationToken cancellationToken)
        where TResponse : class, IResponseMessage
    {
        var connection = await CoordinatorAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return timeout is { } t
                ? await connection.SendAsync<TResponse>(request, t, cancellationToken).ConfigureAwait(false)
                : await connection.SendAsync<TResponse>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException ex) when (IsCoordinatorError(ex.ErrorCode))
        {
            _coordinator = null;
            throw;
        }
    }

    /// <summary>The topics to join with: the subscribed list, or the topics that match the pattern now.</summary>
    private async Task<IReadOnlyList<string>> ResolveTopicsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? topics;
        Regex? pattern;
        lock (_lock)
        {
            (topics, pattern) = (_topics, _pattern);
        }
        if (topics is not null)
        {
            return topics;
        }
        if (pattern is null)
        {
            return [];
        }
        var metadata = await _cluster.RefreshAsync(null, allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        return metadata.Topics.Values.Where(t => !t.IsInternal && t.Error == ErrorCode.None && pattern.IsMatch(t.Name))
            .Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Rejoins when a pattern now matches other topics, or (leader) a subscribed topic's partition count changed.</summary>
    private async Task CheckMetadataAsync(CancellationToken cancellationToken)
    {
        if (_generation < 0)
        {
            return;
        }
        bool hasPattern;
        lock (_lock)
        {
            hasPattern = _pattern is not null;
        }
        if (hasPattern)
        {
            var matched = await ResolveTopicsAsync(cancellationToken).ConfigureAwait(false);
            if (!matched.SequenceEqual(_joinedTopics))
            {
                _needRejoin = true;
                return;
            }
        }
        if (_isLeader && _leaderCounts.Count > 0)
        {
            var counts = await PartitionCountsAsync(_leaderCounts.Keys, cancellationToken).ConfigureAwait(false);
            if (counts.Count != _leaderCounts.Count || counts.Any(kv => !_leaderCounts.TryGetValue(kv.Key, out var n) || n != kv.Value))
            {
                _needRejoin = true;
            }
        }
    }

    private async Task<Dictionary<string, int>> PartitionCountsAsync(IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        var list = topics.Distinct().ToArray();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (list.Length == 0)
        {
            return counts;
        }
        var metadata = await _cluster.RefreshAsync(list, _options.Client.AllowAutoCreateTopics, cancellationToken).ConfigureAwait(false);
        foreach (var topic in list)
        {
            if (metadata.Topics.TryGetValue(topic, out var t) && t.Error == ErrorCode.None && t.Partitions.Count > 0)
            {
                counts[topic] = t.Partitions.Count;
            }
        }
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        _wake.Dispose();
        _stop.Dispose();
    }
}
