using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Strom.Broker.Fetching;
using Strom.Broker.Groups;
using Strom.Broker.Handlers;
using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Broker.Options;
using Strom.Broker.Partitions;
using Strom.Broker.Producers;
using Strom.Broker.Security;
using Strom.Protocol;
using Strom.Storage;

namespace Strom.Broker;

/// <summary>
/// The broker: configuration, topics, partition logs and the request dispatcher, composed
/// once. The host (Strom.Server) wires its listeners to <see cref="KafkaConnectionHandler"/>.
/// </summary>
public sealed partial class KafkaBroker : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, int> _boundPorts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();

    public KafkaBroker(BrokerConfig config, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        Config = config;
        Time = time ?? TimeProvider.System;
        LoggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<KafkaBroker>();
        foreach (var dir in config.LogDirs)
        {
            Directory.CreateDirectory(dir);
        }
        ClusterId = MetaProperties.LoadOrCreate(config.LogDirs, config.NodeId, config.ClusterId);
        var registry = new TopicRegistry(Path.Combine(config.LogDirs[0], "__cluster_metadata", "topics.json"));
        var defaultLogConfig = PartitionManager.ToLogConfig(new EffectiveTopicConfig(config, new Dictionary<string, string>()));
        Logs = LogManager.Open(
            new LogManagerConfig
            {
                LogDirs = config.LogDirs,
                RetentionCheckIntervalMs = config.RetentionCheckIntervalMs,
                FlushSchedulerIntervalMs = config.GetLong("log.flush.scheduler.interval.ms"),
                CleanerEnabled = config.GetBool("log.cleaner.enable"),
                CleanerBackoffMs = config.GetLong("log.cleaner.backoff.ms"),
                ProducerIdExpirationMs = config.GetLong("producer.id.expiration.ms"),
                ProducerIdExpirationCheckIntervalMs = config.GetLong("producer.id.expiration.check.interval.ms"),
            },
            defaultLogConfig,
            topic => registry.TryGet(topic, out var t) ? PartitionManager.ToLogConfig(new EffectiveTopicConfig(config, t.Configs)) : defaultLogConfig,
            Time);
        Partitions = new PartitionManager(config, Logs, Time);
        Topics = new TopicManager(config, registry, Partitions);
        FetchSessions = new FetchSessionCache(config.FetchSessionCacheSlots, Time);
        var groupOptions = GroupCoordinatorOptions.From(config);
        Groups = new GroupCoordinator(groupOptions, new OffsetsTopic(Topics, Partitions, groupOptions), Time,
            loggerFactory.CreateLogger<GroupCoordinator>(), (topic, partition) => Partitions.Get(topic, partition) is not null);
        ProducerIds = new ProducerIdManager(Path.Combine(config.LogDirs[0], "__cluster_metadata", "producer-ids"));
        ScramCredentials = new ScramCredentialStore(Path.Combine(config.LogDirs[0], "__cluster_metadata", "scram-credentials.json"));
        // Resolved now so that a bad keystore or JAAS line stops the broker at startup, not at the first client.
        SecurityByListener = config.Listeners.ToDictionary(l => l.Name, l => ListenerSecurity.Resolve(config, l.Name), StringComparer.Ordinal);
        Dispatcher = new RequestDispatcher(this);
    }

    /// <summary>SCRAM credentials (AlterUserScramCredentials), persisted next to topics.json.</summary>
    public ScramCredentialStore ScramCredentials { get; }

    /// <summary>How each listener is secured, by listener name.</summary>
    public IReadOnlyDictionary<string, ListenerSecurity> SecurityByListener { get; }

    /// <summary>A SASL state for a new connection on this listener; null when the listener has no SASL.</summary>
    public SaslSession? NewSaslSession(string listenerName) =>
        SecurityByListener.TryGetValue(listenerName, out var security) && security.UsesSasl
            ? new SaslSession(security, mechanism => CreateSaslServer(security, mechanism))
            : null;

    private ISaslServer CreateSaslServer(ListenerSecurity security, string mechanism) => mechanism == PlainSaslServer.MechanismName
        ? new PlainSaslServer(security.PlainUsers)
        : new ScramSaslServer(ScramMechanism.FromName(mechanism)!, ScramCredentials.Find);

    public BrokerConfig Config { get; }
    public TimeProvider Time { get; }
    public ILoggerFactory LoggerFactory { get; }
    public string ClusterId { get; }
    public LogManager Logs { get; }
    public PartitionManager Partitions { get; }
    public TopicManager Topics { get; }
    public FetchSessionCache FetchSessions { get; }
    public GroupCoordinator Groups { get; }
    public ProducerIdManager ProducerIds { get; }
    public RequestDispatcher Dispatcher { get; }
    public int NodeId => Config.NodeId;

    /// <summary>Opens every partition log (recovering after a crash) and starts background work.</summary>
    public void Start()
    {
        Topics.LoadAll();
        Groups.Load();
        Logs.Start();
        LogStarted(_logger, Config.NodeId, ClusterId, string.Join(", ", Config.LogDirs), Topics.Registry.All.Count);
    }

    /// <summary>Records the port a listener actually bound (port 0 picks one).</summary>
    public void SetBoundPort(string listenerName, int port) => _boundPorts[listenerName] = port;

    public int? BoundPort(string listenerName) => _boundPorts.TryGetValue(listenerName, out var port) ? port : null;

    /// <summary>
    /// The host and port Metadata advertises to a client on this connection's listener:
    /// advertised.listeners, with a wildcard host replaced by the address the client reached and
    /// port 0 by the bound port.
    /// </summary>
    public (string Host, int Port) AdvertisedEndpoint(RequestContext context)
    {
        var listener = Config.AdvertisedListeners.FirstOrDefault(l => l.Name == context.ListenerName) ?? Config.AdvertisedListeners[0];
        var host = listener.Host;
        var port = listener.Port;
        var local = context.LocalEndPoint as IPEndPoint;
        if (string.IsNullOrEmpty(host) || host is "0.0.0.0" or "::")
        {
            host = local?.Address.ToString() ?? "127.0.0.1";
        }
        if (port == 0)
        {
            port = BoundPort(listener.Name) ?? local?.Port ?? 0;
        }
        return (host, port);
    }

    /// <summary>Cancelled when the broker begins to shut down: connections finish their request and close.</summary>
    public CancellationToken ShuttingDown => _shutdown.Token;

    public void BeginShutdown() => _shutdown.Cancel();

    public void OnConnectionClosed(RequestContext context)
    {
    }

    public ValueTask DisposeAsync()
    {
        Groups.Dispose();
        _shutdown.Cancel();
        _shutdown.Dispose();
        Logs.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Broker {NodeId} of cluster {ClusterId} started; data in {LogDirs}; {TopicCount} topics")]
    private static partial void LogStarted(ILogger logger, int nodeId, string clusterId, string logDirs, int topicCount);
}
