using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strom.Client;
using Strom.Client.Admin;
using Strom.Client.Consumer;
using Strom.Client.Producer;
using Strom.Protocol;

namespace Strom.SchemaRegistry.Storage;

/// <summary>
/// Registry state in a Kafka topic, as Confluent keeps it: one partition, cleanup.policy=compact,
/// JSON keys and values (<see cref="SchemaRecordKey"/>). At start the topic is created when missing
/// and read from its first offset up to the end offset found at that moment; each change is
/// produced with acks=all and awaited, so an acknowledged change survives a broker restart under
/// the broker's own durability settings. Built only on Strom.Client: works against any Kafka broker.
/// </summary>
public sealed partial class KafkaSchemaStore : ISchemaStore
{
    private readonly Dictionary<string, string> _config;
    private readonly string _topic;
    private readonly ILogger _logger;
    private readonly TopicPartition _partition;
    private KafkaProducer? _producer;

    /// <param name="kafkaConfig">Client config keys (bootstrap.servers, client.id, ...).</param>
    /// <param name="topic">kafkastore.topic (default: _schemas).</param>
    public KafkaSchemaStore(IReadOnlyDictionary<string, string> kafkaConfig, string topic = "_schemas", ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _config = new Dictionary<string, string>(kafkaConfig, StringComparer.Ordinal);
        _config.TryAdd("client.id", "strom-schema-registry");
        _topic = topic;
        _partition = new TopicPartition(topic, 0);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How long start-up waits for the cluster and the topic (default: 60 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public async Task ReplayAsync(Action<SchemaLogRecord> apply, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await ReplayCoreAsync(apply, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"Could not read the schema topic {_topic} from {_config.GetValueOrDefault("bootstrap.servers")} within {StartTimeout.TotalSeconds:0} s: is the Kafka cluster up?");
        }
    }

    private async Task ReplayCoreAsync(Action<SchemaLogRecord> apply, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await EnsureTopicAsync(timeout.Token).ConfigureAwait(false);

        var consumerConfig = new Dictionary<string, string>(_config, StringComparer.Ordinal)
        {
            ["auto.offset.reset"] = "earliest",
            ["allow.auto.create.topics"] = "false",
            ["isolation.level"] = "read_committed",
        };
        await using var consumer = new KafkaConsumer(consumerConfig);
        consumer.Assign([_partition]);
        var (low, end) = await RetryAsync(() => consumer.QueryWatermarkOffsetsAsync(_partition, timeout.Token), timeout.Token).ConfigureAwait(false);
        consumer.Seek(_partition, low);
        var count = 0;
        while ((consumer.Position(_partition) ?? low) < end)
        {
            var record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(1), timeout.Token).ConfigureAwait(false);
            if (record is null || record.Offset >= end)
            {
                continue;
            }
            if (record.Key is not { } key)
            {
                continue;
            }
            apply(new SchemaLogRecord(Encoding.UTF8.GetString(key.Span), record.Value is { } value ? Encoding.UTF8.GetString(value.Span) : null));
            count++;
        }
        LogReplayed(_logger, _topic, count, end);

        _producer = new KafkaProducer(new Dictionary<string, string>(_config, StringComparer.Ordinal)
        {
            ["acks"] = "all",
            ["linger.ms"] = "0",
            ["allow.auto.create.topics"] = "false",
        });
    }

    public async Task AppendAsync(SchemaLogRecord record, CancellationToken cancellationToken)
    {
        var producer = _producer ?? throw new InvalidOperationException("ReplayAsync must run before AppendAsync");
        var key = Encoding.UTF8.GetBytes(record.Key);
        var value = record.Value is null ? null : Encoding.UTF8.GetBytes(record.Value);
        await producer.ProduceAsync(_topic, key, value, partition: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_producer is { } producer)
        {
            _producer = null;
            await producer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Creates the topic (1 partition, compacted, replication min(3, brokers)) unless it exists; refuses one that is not compacted.</summary>
    private async Task EnsureTopicAsync(CancellationToken cancellationToken)
    {
        await using var admin = new KafkaAdminClient(_config);
        var cluster = await RetryAsync(() => admin.DescribeClusterAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        var replication = (short)Math.Clamp(cluster.Brokers.Count, 1, 3);
        try
        {
            await admin.CreateTopicsAsync([new NewTopic(_topic, 1, replication, new Dictionary<string, string> { ["cleanup.policy"] = "compact" })],
                cancellationToken: cancellationToken).ConfigureAwait(false);
            LogCreated(_logger, _topic, replication);
        }
        catch (KafkaException e) when (e.ErrorCode == ErrorCode.TopicAlreadyExists)
        {
            var configs = await admin.DescribeConfigsAsync(ConfigResource.Topic(_topic), cancellationToken).ConfigureAwait(false);
            var policy = configs.FirstOrDefault(c => c.Name == "cleanup.policy")?.Value ?? "delete";
            if (!policy.Split(',').Contains("compact", StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"The schema topic {_topic} has cleanup.policy={policy}; it must be compact or registry state would be lost to retention");
            }
            var partitions = (await admin.DescribeTopicsAsync([_topic], cancellationToken).ConfigureAwait(false))[0].Partitions.Count;
            if (partitions != 1)
            {
                throw new InvalidOperationException($"The schema topic {_topic} has {partitions} partitions; it must have exactly 1 so that records stay in order");
            }
        }
    }

    /// <summary>Retries retriable Kafka errors (a broker still starting, a leader not yet elected) until cancelled.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Created schema topic {Topic} (1 partition, compacted, replication factor {Replication})")]
    private static partial void LogCreated(ILogger logger, string topic, short replication);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Read {Count} records of {Topic} up to offset {End}")]
    private static partial void LogReplayed(ILogger logger, string topic, int count, long end);
}
