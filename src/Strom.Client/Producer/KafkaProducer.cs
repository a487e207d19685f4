using Strom.Client.Cluster;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;

namespace Strom.Client.Producer;

/// <summary>
/// A Kafka producer. <see cref="ProduceAsync"/> appends the record to its partition's open
/// batch and returns a task that completes when the broker has acknowledged it. A background
/// sender ships each partition's batches to its leader when they reach batch.size or have
/// waited linger.ms, each request to a broker carrying at most one batch per partition, with up
/// to max.in.flight.requests.per.connection requests (and so batches of one partition) in flight
/// per broker. As in Kafka's Java producer, only an idempotent producer (or max.in.flight=1)
/// keeps order per partition when a batch is retried. Retriable errors refresh metadata and
/// retry with backoff until delivery.timeout.ms.
/// </summary>
public sealed partial class KafkaProducer : IAsyncDisposable
{
    private static readonly ReadOnlyMemory<byte>? NoBytes = null;

    private readonly KafkaCluster _cluster;
    private readonly ProducerOptions _options;
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, PartitionQueue> _queues = [];
    private readonly HashSet<ProducerBatch> _incomplete = [];
    private readonly HashSet<string> _staleTopics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PendingRecord>> _awaitingMetadata = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _requestsInFlight = [];
    private readonly StickyPartitioner _sticky = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private int _maxInFlightPerPartition;
    private int _flushing;
    private bool _disposed;
    private bool _idempotent;
    private long _producerId = -1;
    private short _epoch = -1;
    private bool _epochBumpNeeded;

    public KafkaProducer(ProducerOptions options)
    {
        _options = options.Validated();
        _idempotent = options.IsIdempotent;
        _maxInFlightPerPartition = _idempotent ? Math.Min(options.MaxInFlightRequestsPerConnection, 5) : options.MaxInFlightRequestsPerConnection;
        _cluster = new KafkaCluster(options.Client);
        _sender = Task.Run(SendLoopAsync);
    }

    public KafkaProducer(IReadOnlyDictionary<string, string> config)
        : this(ProducerOptions.FromConfig(config))
    {
    }

    public ProducerOptions Options => _options;

    /// <summary>The cluster connection this producer uses (metadata, connections).</summary>
    public KafkaCluster Cluster => _cluster;

    /// <summary>
    /// Produces one record. <paramref name="timestamp"/> defaults to now (ms since the epoch);
    /// <paramref name="partition"/> defaults to the key's murmur2 partition, or the sticky one
    /// for a null key. Records are queued in call order, also while the topic's metadata is
    /// still being fetched. The task completes when the record is acknowledged (acks) or fails.
    /// </summary>
    public Task<DeliveryResult> ProduceAsync(string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value,
        IReadOnlyList<RecordHeader>? headers = null, long? timestamp = null, int? partition = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        cancellationToken.ThrowIfCancellationRequested();
        var completion = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var error = Enqueue(topic, key, value, headers, timestamp, partition, completion);
        return error is null ? completion.Task : Task.FromException<DeliveryResult>(error);
    }

    /// <summary>
    /// Produces one record and calls <paramref name="onDelivery"/> (on the producer's I/O thread)
    /// once it is acknowledged or has failed; the same queueing as
    /// <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, long?, int?, CancellationToken)"/>,
    /// without a task per record: with a cached handler, nothing is allocated per record. The key,
    /// value and header bytes are copied before this returns. A record too large for
    /// max.request.size throws <see cref="KafkaException"/> here.
    /// </summary>
    public void Produce(string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, DeliveryHandler onDelivery,
        IReadOnlyList<RecordHeader>? headers = null, long? timestamp = null, int? partition = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(onDelivery);
        if (Enqueue(topic, key, value, headers, timestamp, partition, onDelivery) is { } error)
        {
            throw error;
        }
    }

    /// <summary>Size check, then into the partition's open batch, or behind the topic's metadata lookup. Null or the size error.</summary>
    private KafkaException? Enqueue(string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value,
        IReadOnlyList<RecordHeader>? headers, long? timestamp, int? partition, object completion)
    {
        var estimate = 32 + (key?.Length ?? 0) + (value?.Length ?? 0);
        for (var i = 0; i < (headers?.Count ?? 0); i++)
        {
            estimate += (headers![i].Key.Length * 3) + (headers[i].Value?.Length ?? 0) + 10;
        }
        if (estimate + RecordBatchHeader.Size > _options.MaxRequestSize)
        {
            return new KafkaException(ErrorCode.MessageTooLarge,
                $"a record of about {estimate} bytes is larger than max.request.size ({_options.MaxRequestSize})");
        }
        var time = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var resolve = false;
        var wake = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_awaitingMetadata.TryGetValue(topic, out var waiting) && _cluster.Metadata.Topics.TryGetValue(topic, out var metadata)
                && metadata.Partitions.Count > 0)
            {
                wake = Append(topic, key, value, headers, time, partition, estimate, completion, metadata.Partitions.Count);
            }
            else
            {
                if (waiting is null)
                {
                    _awaitingMetadata[topic] = waiting = [];
                    resolve = true;
                }
                // Waiting for metadata: the caller's memory may be reused once we return, so keep copies.
                waiting.Add(new PendingRecord(topic, Copy(key), Copy(value), headers, time, partition, estimate, completion));
            }
        }
        if (resolve)
        {
            _ = ResolveTopicAsync(topic);
        }
        if (wake || _options.LingerMs == 0)
        {
            Wake();
        }
        return null;
    }

    /// <summary>
    /// <see cref="ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, long?, int?, CancellationToken)"/>
    /// for arrays: a null array is a null key or value (a null array converted to ReadOnlyMemory would be empty instead).
    /// </summary>
    public Task<DeliveryResult> ProduceAsync(string topic, byte[]? key, byte[]? value,
        IReadOnlyList<RecordHeader>? headers = null, long? timestamp = null, int? partition = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, key is null ? NoBytes : key.AsMemory(), value is null ? NoBytes : value.AsMemory(), headers, timestamp, partition, cancellationToken);

    /// <summary>Fetches a topic's metadata, then appends the records that waited for it, in order.</summary>
    private async Task ResolveTopicAsync(string topic)
    {
        TopicMetadata? metadata = null;
        Exception? error = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.DeliveryTimeoutMs);
            metadata = await _cluster.GetTopicAsync(topic, _options.Client.AllowAutoCreateTopics, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex is OperationCanceledException
                ? new KafkaException(ErrorCode.RequestTimedOut, $"topic '{topic}' was not found in metadata within delivery.timeout.ms")
                : ex;
        }
        lock (_lock)
        {
            _awaitingMetadata.Remove(topic, out var waiting);
            foreach (var record in waiting ?? [])
            {
                if (metadata is null)
                {
                    ProducerBatch.Complete(record.Completion, new DeliveryResult(topic, -1, -1, record.Timestamp), error!);
                }
                else
                {
                    Append(record.Topic, record.Key, record.Value, record.Headers, record.Timestamp, record.Partition, record.Estimate,
                        record.Completion, metadata.Partitions.Count);
                }
            }
        }
        Wake();
    }

    /// <summary>Partitions the record and appends it to its partition's open batch; true when a batch closed. Caller holds the lock.</summary>
    private bool Append(string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers,
        long timestamp, int? partition, int estimate, object completion, int count)
    {
        if (partition is { } p && (p < 0 || p >= count))
        {
            ProducerBatch.Complete(completion, new DeliveryResult(topic, p, -1, timestamp), new KafkaException(ErrorCode.UnknownTopicOrPartition,
                $"topic '{topic}' has no partition {p} (it has {count})"));
            return false;
        }
        var closed = false;
        var keyed = key.HasValue && !_options.PartitionerIgnoreKeys;
        var target = partition ?? (keyed ? Partitioners.ForKey(key!.Value.Span, count) : _sticky.Partition(topic, count));
        var tp = new TopicPartition(topic, target);
        if (!_queues.TryGetValue(tp, out var queue))
        {
            _queues[tp] = queue = new PartitionQueue();
        }
        if (queue.Open is { } open && open.RecordCount > 0 && open.SizeInBytes + estimate > _options.BatchSize)
        {
            CloseOpen(queue, count);
            closed = true;
        }
        if (queue.Open is null)
        {
            queue.Open = new ProducerBatch(tp, _options.CompressionType, DateTime.UtcNow, _options.DeliveryTimeoutMs);
            _incomplete.Add(queue.Open);
        }
        queue.Open.Append(timestamp, key, value, headers, completion);
        if (queue.Open.SizeInBytes >= _options.BatchSize)
        {
            CloseOpen(queue, count);
            closed = true;
        }
        return closed;
    }

    /// <summary>Sends everything buffered now (ignoring linger.ms) and waits until each record has its outcome.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task[] pending;
        Interlocked.Increment(ref _flushing);
        try
        {
            lock (_lock)
            {
                pending = _incomplete.Select(b => b.Done.Task)
                    .Concat(_awaitingMetadata.Count == 0 ? [] : [WaitForMetadataAsync()])
                    .ToArray();
            }
            Wake();
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _flushing);
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Freezes the open batch into the ready queue; the sticky partitioner moves on (KIP-480). Caller holds the lock.</summary>
    private void CloseOpen(PartitionQueue queue, int partitionCount)
    {
        if (queue.Open is not { } open)
        {
            return;
        }
        open.Close();
        queue.Ready.AddLast(open);
        queue.Open = null;
        _sticky.OnNewBatch(open.Partition.Topic, open.Partition.Partition, partitionCount);
    }

    /// <summary>Sends what is buffered (waiting at most delivery.timeout.ms), then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _stop.Cancel();
        Wake();
        try
        {
            await _sender.WaitAsync(TimeSpan.FromMilliseconds(_options.DeliveryTimeoutMs + 1000)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        lock (_lock)
        {
            foreach (var batch in _incomplete.ToArray())
            {
                batch.Fail(new KafkaException(ErrorCode.NetworkException, "the producer was closed before the record was delivered"));
            }
            _incomplete.Clear();
        }
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _wake.Dispose();
        _stop.Dispose();
    }

    /// <summary>A copy that keeps null distinct from empty (a null byte[] would convert to an empty ReadOnlyMemory).</summary>
    private static ReadOnlyMemory<byte>? Copy(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? b.ToArray().AsMemory() : NoBytes;

    /// <summary>Completes once no topic waits for metadata and the batches its records went into are done.</summary>
    private async Task WaitForMetadataAsync()
    {
        Task[] batches;
        while (true)
        {
            lock (_lock)
            {
                if (_awaitingMetadata.Count == 0)
                {
                    batches = [.. _incomplete.Select(b => b.Done.Task)];
                    break;
                }
            }
            await Task.Delay(5).ConfigureAwait(false);
        }
        await Task.WhenAll(batches).ConfigureAwait(false);
    }

    private sealed record PendingRecord(string Topic, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader>? Headers,
        long Timestamp, int? Partition, int Estimate, object Completion);
}
