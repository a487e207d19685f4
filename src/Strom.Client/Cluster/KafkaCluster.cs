using Strom.Client.Config;
using Strom.Client.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Cluster;

/// <summary>
/// The client's view of a cluster: bootstrap servers, the latest Metadata, and one connection
/// per broker (made on first use, made again after it fails). Producer, consumer and admin
/// client each own one. Retriable failures (network errors, leader moves, a topic still being
/// created) refresh metadata and retry with exponential backoff until the deadline.
/// </summary>
public sealed class KafkaCluster : IAsyncDisposable
{
    private readonly Dictionary<int, Task<KafkaConnection>> _connections = [];
    private readonly (string Host, int Port)[] _bootstrap;
    private readonly SemaphoreSlim _metadataLock = new(1, 1);
    private ClusterMetadata _metadata = ClusterMetadata.Empty;
    private int _nextBootstrap;
    private bool _disposed;

    public KafkaCluster(ClientOptions options)
    {
        Options = options;
        _bootstrap = options.BootstrapServers.Select(ParseHostPort).ToArray();
        if (_bootstrap.Length == 0)
        {
            throw new KafkaConfigException("bootstrap.servers is empty");
        }
    }

    public ClientOptions Options { get; }

    /// <summary>The latest metadata snapshot (empty before the first refresh).</summary>
    public ClusterMetadata Metadata => Volatile.Read(ref _metadata);

    public static (string Host, int Port) ParseHostPort(string server)
    {
        var text = server.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            text = text[(schemeEnd + 3)..];
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            throw new KafkaConfigException($"bootstrap server '{server}' is not host:port");
        }
        return (text[..colon].Trim('[', ']'), port);
    }

    private const int CoordinatorIdBase = int.MaxValue / 2;

    /// <summary>
    /// The connection id for talking to broker <paramref name="nodeId"/> as a group coordinator:
    /// a second connection, as Java's client keeps, so a JoinGroup held for a whole rebalance
    /// never queues behind or in front of fetches to the same broker.
    /// </summary>
    public static int CoordinatorConnectionId(int nodeId) => int.MaxValue - nodeId;

    /// <summary>A live connection to broker <paramref name="nodeId"/>, connecting if needed.</summary>
    public async Task<KafkaConnection> GetConnectionAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        Task<KafkaConnection> task;
        lock (_connections)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_connections.TryGetValue(nodeId, out task!) || task.IsFaulted || task.IsCanceled
                || (task.IsCompletedSuccessfully && !task.Result.IsOpen))
            {
                if (task is { IsCompletedSuccessfully: true })
                {
                    _ = task.Result.DisposeAsync().AsTask();
                }
                var brokerId = nodeId >= CoordinatorIdBase ? int.MaxValue - nodeId : nodeId;
                var (host, port) = nodeId < 0
                    ? _bootstrap[(-nodeId - 1) % _bootstrap.Length]
                    : Metadata.Brokers.TryGetValue(brokerId, out var broker)
                        ? (broker.Host, broker.Port)
                        : throw new KafkaException(ErrorCode.BrokerNotAvailable, $"broker {nodeId} is not in the cluster metadata");
                task = KafkaConnection.ConnectAsync(host, port, Options.ClientId,
                    TimeSpan.FromMilliseconds(Options.ConnectTimeoutMs), TimeSpan.FromMilliseconds(Options.RequestTimeoutMs), CancellationToken.None, Options.Security);
                _connections[nodeId] = task;
            }
        }
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A connection to any broker: a known one if metadata has been read, else a bootstrap server.</summary>
    public async Task<KafkaConnection> GetAnyConnectionAsync(CancellationToken cancellationToken = default)
    {
        var brokers = Metadata.Brokers.Keys.ToArray();
        Exception? last = null;
        var candidates = brokers.Length > 0
            ? brokers.Concat(BootstrapIds())
            : BootstrapIds();
        foreach (var id in candidates)
        {
            try
            {
                return await GetConnectionAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException ex) when (ex.ErrorCode is ErrorCode.NetworkException or ErrorCode.RequestTimedOut or ErrorCode.BrokerNotAvailable)
            {
                last = ex;
            }
        }
        throw last ?? new KafkaException(ErrorCode.NetworkException, "no broker is reachable");
    }

    private IEnumerable<int> BootstrapIds()
    {
        var start = Interlocked.Increment(ref _nextBootstrap);
        for (var i = 0; i < _bootstrap.Length; i++)
        {
            yield return -1 - ((start + i) % _bootstrap.Length);
        }
    }

    /// <summary>Sends to any broker, retrying network errors on another until the request timeout.</summary>
    public Task<TResponse> SendToAnyAsync<TResponse>(IRequestMessage request, CancellationToken cancellationToken = default)
        where TResponse : class, IResponseMessage =>
        RetryAsync(async ct =>
        {
            var connection = await GetAnyConnectionAsync(ct).ConfigureAwait(false);
            return await connection.SendAsync<TResponse>(request, ct).ConfigureAwait(false);
        }, static ex => ex.ErrorCode is ErrorCode.NetworkException, cancellationToken);

    /// <summary>Sends to one broker, reconnecting after network errors until the request timeout.</summary>
    public Task<TResponse> SendToNodeAsync<TResponse>(int nodeId, IRequestMessage request, CancellationToken cancellationToken = default)
        where TResponse : class, IResponseMessage =>
        RetryAsync(async ct =>
        {
            var connection = await GetConnectionAsync(nodeId, ct).ConfigureAwait(false);
            return await connection.SendAsync<TResponse>(request, ct).ConfigureAwait(false);
        }, static ex => ex.ErrorCode is ErrorCode.NetworkException, cancellationToken);

    /// <summary>Runs <paramref name="operation"/> until it succeeds, fails with a non-retriable error, or the request timeout passes.</summary>
    public async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> operation, Func<KafkaException, bool> retriable, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(Options.RequestTimeoutMs);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException ex) when (retriable(ex) && DateTime.UtcNow + Options.Backoff(attempt) < deadline)
            {
                await Task.Delay(Options.Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Refreshes metadata for <paramref name="topics"/> (null: every topic) and returns the new
    /// snapshot. Topics in the response replace the cached ones; with null, the cache is replaced.
    /// </summary>
    public async Task<ClusterMetadata> RefreshAsync(IReadOnlyCollection<string>? topics, bool allowAutoCreate, CancellationToken cancellationToken = default)
    {
        var (_, snapshot) = await RequestMetadataAsync(topics, allowAutoCreate, cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>Sends one Metadata request; returns the raw response (for per-topic errors) and the merged snapshot.</summary>
    public async Task<(MetadataResponse Response, ClusterMetadata Snapshot)> RequestMetadataAsync(IReadOnlyCollection<string>? topics,
        bool allowAutoCreate, CancellationToken cancellationToken = default)
    {
        var request = new MetadataRequest
        {
            Topics = topics?.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
            AllowAutoTopicCreation = allowAutoCreate,
        };
        var response = await SendToAnyAsync<MetadataResponse>(request, cancellationToken).ConfigureAwait(false);
        await _metadataLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = ClusterMetadata.From(response, Metadata, replaceAllTopics: topics is null);
            Volatile.Write(ref _metadata, snapshot);
            return (response, snapshot);
        }
        finally
        {
            _metadataLock.Release();
        }
    }

    /// <summary>
    /// The metadata of one topic with a leader for every partition, refreshing while the topic is
    /// being created or a leader is being elected. Without auto-creation, an unknown topic fails
    /// at once with UNKNOWN_TOPIC_OR_PARTITION; with it, that error is retried (creation in flight).
    /// </summary>
    public async Task<TopicMetadata> GetTopicAsync(string topic, bool allowAutoCreate, bool forceRefresh = false, CancellationToken cancellationToken = default)
    {
        if (!forceRefresh && IsUsable(Metadata, topic, out var cached))
        {
            return cached;
        }
        return await RetryAsync(async ct =>
        {
            var (response, snapshot) = await RequestMetadataAsync([topic], allowAutoCreate, ct).ConfigureAwait(false);
            var entry = response.Topics.FirstOrDefault(t => t.Name == topic);
            if (entry is null)
            {
                ClientThrow.Error(ErrorCode.UnknownTopicOrPartition, null, $"topic '{topic}'");
            }
            ClientThrow.IfError(entry.ErrorCode, null, $"topic '{topic}'");
            if (!IsUsable(snapshot, topic, out var metadata))
            {
                ClientThrow.Error(ErrorCode.LeaderNotAvailable, null, $"topic '{topic}'");
            }
            return metadata;
        }, ex => ex.IsRetriable && (allowAutoCreate || ex.ErrorCode != ErrorCode.UnknownTopicOrPartition), cancellationToken).ConfigureAwait(false);
    }

    private static bool IsUsable(ClusterMetadata metadata, string topic, out TopicMetadata result)
    {
        if (metadata.Topics.TryGetValue(topic, out result!) && result.Error == ErrorCode.None
            && result.Partitions.Count > 0 && result.Partitions.All(p => p.Leader >= 0 && metadata.Brokers.ContainsKey(p.Leader)))
        {
            return true;
        }
        return false;
    }

    /// <summary>Closes the connection to <paramref name="nodeId"/> so the next use connects again.</summary>
    public void Invalidate(int nodeId)
    {
        lock (_connections)
        {
            if (_connections.Remove(nodeId, out var task) && task.IsCompletedSuccessfully)
            {
                _ = task.Result.DisposeAsync().AsTask();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<KafkaConnection>[] tasks;
        lock (_connections)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            tasks = [.. _connections.Values];
            _connections.Clear();
        }
        foreach (var task in tasks)
        {
            try
            {
                var connection = await task.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
        }
        _metadataLock.Dispose();
    }
}
