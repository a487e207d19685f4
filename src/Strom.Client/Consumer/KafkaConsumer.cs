using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Strom.Client.Cluster;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Consumer;

/// <summary>
/// A Kafka consumer over assigned partitions, either assigned by hand (<see cref="Assign"/>) or
/// by its consumer group (<see cref="Subscribe(IEnumerable{string})"/>, in KafkaConsumer.Groups.cs).
/// A background fetch loop sends one Fetch per leader, decodes the records and buffers them,
/// then fetches again at once while the application reads (prefetch), pausing while more than
/// fetch.max.bytes is buffered. Seek takes effect on the next <see cref="ConsumeAsync"/>:
/// buffered records fetched before it are dropped.
/// </summary>
public sealed partial class KafkaConsumer : IAsyncDisposable
{
    private readonly KafkaCluster _cluster;
    private readonly ConsumerOptions _options;
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];
    private readonly Channel<FetchedChunk> _buffer = Channel.CreateUnbounded<FetchedChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _changed = new(0);
    private readonly SemaphoreSlim _drained = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _fetchLoop;
    private FetchedChunk? _current;
    private long _bufferedBytes;
    private int _nextEpoch;
    private volatile bool _staleMetadata;

    public KafkaConsumer(ConsumerOptions options)
    {
        _options = options;
        _cluster = new KafkaCluster(options.Client);
        _fetchLoop = Task.Run(FetchLoopAsync);
    }

    public KafkaConsumer(IReadOnlyDictionary<string, string> config)
        : this(ConsumerOptions.FromConfig(config))
    {
    }

    public ConsumerOptions Options => _options;

    public KafkaCluster Cluster => _cluster;

    /// <summary>The assigned partitions.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_lock)
            {
                return [.. _partitions.Keys];
            }
        }
    }

    /// <summary>Replaces the assignment. New partitions start at auto.offset.reset unless sought.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        if (_group?.IsSubscribed == true)
        {
            throw new InvalidOperationException("the consumer is subscribed; its group assigns the partitions (call Unsubscribe first)");
        }
        lock (_lock)
        {
            var wanted = partitions.ToHashSet();
            foreach (var tp in _partitions.Keys.Where(tp => !wanted.Contains(tp)).ToArray())
            {
                _partitions.Remove(tp);
            }
            foreach (var tp in wanted)
            {
                _partitions.TryAdd(tp, new PartitionState { Epoch = ++_nextEpoch });
            }
        }
        Signal(_changed);
    }

    /// <summary>The partitions of <paramref name="topic"/>, from metadata (no auto-creation).</summary>
    public async Task<IReadOnlyList<TopicPartition>> GetPartitionsAsync(string topic, CancellationToken cancellationToken = default)
    {
        var metadata = await _cluster.GetTopicAsync(topic, allowAutoCreate: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        return metadata.Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToArray();
    }

    /// <summary>The next offset the application will read, or null until one is known.</summary>
    public long? Position(TopicPartition partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var state) ? state.Position : null;
        }
    }

    /// <summary>Moves to <paramref name="offset"/>; the next record returned for the partition is at or after it.</summary>
    public void Seek(TopicPartition partition, long offset)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var state))
            {
                throw new InvalidOperationException($"{partition} is not assigned");
            }
            state.Epoch = ++_nextEpoch;
            state.FetchPosition = offset;
            state.Position = offset;
            state.Error = null;
        }
        Signal(_changed);
    }

    /// <summary>
    /// Stops fetching the partitions and returning their records (group membership and
    /// heartbeats go on); records already buffered for them are dropped and fetched again from
    /// the current position on <see cref="Resume"/>.
    /// </summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                if (!_partitions.TryGetValue(tp, out var state))
                {
                    throw new InvalidOperationException($"{tp} is not assigned");
                }
                if (state.Paused)
                {
                    continue;
                }
                state.Paused = true;
                state.Epoch = ++_nextEpoch;
                if (state.Position is { } position)
                {
                    state.FetchPosition = position;
                }
            }
        }
    }

    /// <summary>Fetches the partitions again from their positions.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                if (_partitions.TryGetValue(tp, out var state))
                {
                    state.Paused = false;
                }
            }
        }
        Signal(_changed);
    }

    /// <summary>The paused partitions among the assigned ones.</summary>
    public IReadOnlyList<TopicPartition> Paused
    {
        get
        {
            lock (_lock)
            {
                return [.. _partitions.Where(kv => kv.Value.Paused).Select(kv => kv.Key)];
            }
        }
    }

    public Task SeekToBeginningAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default) =>
        SeekToSpecAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Earliest), cancellationToken);

    public Task SeekToEndAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default) =>
        SeekToSpecAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest), cancellationToken);

    /// <summary>Seeks each partition to the first record with a timestamp at or after the given one (ms); to the end when there is none.</summary>
    public Task SeekToTimestampAsync(IReadOnlyDictionary<TopicPartition, long> timestamps, CancellationToken cancellationToken = default) =>
        SeekToSpecAsync(timestamps, cancellationToken);

    private async Task SeekToSpecAsync(IReadOnlyDictionary<TopicPartition, long> specs, CancellationToken cancellationToken)
    {
        var found = await OffsetLookup.ListOffsetsAsync(_cluster, specs, _options.IsolationLevel, cancellationToken).ConfigureAwait(false);
        var missing = found.Where(kv => kv.Value.Offset < 0).Select(kv => kv.Key).ToArray();
        if (missing.Length > 0)
        {
            var ends = await OffsetLookup.ListOffsetsAsync(_cluster, missing.ToDictionary(tp => tp, _ => OffsetSpec.Latest),
                _options.IsolationLevel, cancellationToken).ConfigureAwait(false);
            foreach (var (tp, end) in ends)
            {
                found[tp] = end;
            }
        }
        foreach (var (tp, offset) in found)
        {
            Seek(tp, offset.Offset);
        }
    }

    /// <summary>The log start offset and the high watermark (latest offset + 1), asked of the leader.</summary>
    public async Task<(long Low, long High)> QueryWatermarkOffsetsAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        var low = await OffsetLookup.ListOffsetsAsync(_cluster, new Dictionary<TopicPartition, long> { [partition] = OffsetSpec.Earliest },
            IsolationLevel.ReadUncommitted, cancellationToken).ConfigureAwait(false);
        var high = await OffsetLookup.ListOffsetsAsync(_cluster, new Dictionary<TopicPartition, long> { [partition] = OffsetSpec.Latest },
            IsolationLevel.ReadUncommitted, cancellationToken).ConfigureAwait(false);
        return (low[partition].Offset, high[partition].Offset);
    }

    /// <summary>
    /// The next record of any assigned partition, or null when none arrives within
    /// <paramref name="timeout"/>. Throws the error that stopped a partition (e.g.
    /// OFFSET_OUT_OF_RANGE with auto.offset.reset=none).
    /// </summary>
    public Task<ConsumeResult?> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_group?.FatalError is { } fatal)
        {
            return Task.FromException<ConsumeResult?>(fatal);
        }
        // Fast path: a buffered record is returned without a timer or an async state machine.
        try
        {
            if (_current is not null && TryTakeBuffered(out var record))
            {
                return Task.FromResult<ConsumeResult?>(record);
            }
        }
        catch (KafkaException ex)
        {
            return Task.FromException<ConsumeResult?>(ex);
        }
        return ConsumeSlowAsync(timeout, cancellationToken);
    }

    private async Task<ConsumeResult?> ConsumeSlowAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (true)
        {
            if (_current is not null && TryTakeBuffered(out var record))
            {
                return record;
            }
            try
            {
                _current = await _buffer.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(KafkaConsumer));
            }
        }
    }

    /// <summary>
    /// The next record of the current chunk; false (and the chunk released) once it is used up
    /// or stale. Throws the chunk's error.
    /// </summary>
    private bool TryTakeBuffered([NotNullWhen(true)] out ConsumeResult? result)
    {
        var chunk = _current!;
        lock (_lock)
        {
            if (_partitions.TryGetValue(chunk.Partition, out var state) && state.Epoch == chunk.Epoch)
            {
                if (chunk.Error is not null)
                {
                    _current = null;
                    state.Error = null;
                    throw chunk.Error;
                }
                if (chunk.Records.TryRead(out var record, out var timestampType))
                {
                    state.Position = record.Offset + 1;
                    result = new ConsumeResult(chunk.Partition.Topic, chunk.Partition.Partition, timestampType, record);
                    return true;
                }
                state.Position = Math.Max(state.Position ?? 0, chunk.Records.NextOffset);
            }
        }
        _current = null;
        Interlocked.Add(ref _bufferedBytes, -chunk.Bytes);
        Signal(_drained);
        result = null;
        return false;
    }

    private static void Signal(SemaphoreSlim signal)
    {
        try
        {
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task FetchLoopAsync()
    {
        var token = _stop.Token;
        var attempt = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (Interlocked.Read(ref _bufferedBytes) > _options.FetchMaxBytes)
                {
                    await _drained.WaitAsync(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
                    continue;
                }
                await ResolvePositionsAsync(token).ConfigureAwait(false);
                var fetched = await FetchOnceAsync(token).ConfigureAwait(false);
                attempt = 0;
                if (!fetched)
                {
                    await _changed.WaitAsync(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                // Network errors, leader moves: refresh metadata on the next round, after a backoff.
                try
                {
                    await Task.Delay(_options.Client.Backoff(attempt++), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                _staleMetadata = true;
            }
        }
        _buffer.Writer.TryComplete();
    }

    /// <summary>Partitions with no position get one from auto.offset.reset (ListOffsets earliest or latest).</summary>
    private async Task ResolvePositionsAsync(CancellationToken cancellationToken)
    {
        Dictionary<TopicPartition, int> unresolved;
        lock (_lock)
        {
            unresolved = _partitions.Where(kv => kv.Value.FetchPosition is null && kv.Value.Error is null).ToDictionary(kv => kv.Key, kv => kv.Value.Epoch);
        }
        if (unresolved.Count == 0)
        {
            return;
        }
        if (_options.AutoOffsetReset == AutoOffsetReset.None)
        {
            lock (_lock)
            {
                foreach (var (tp, epoch) in unresolved)
                {
                    FailPartition(tp, epoch, new KafkaException(ErrorCode.OffsetOutOfRange, $"{tp} has no position and auto.offset.reset is none"));
                }
            }
            return;
        }
        var spec = _options.AutoOffsetReset == AutoOffsetReset.Earliest ? OffsetSpec.Earliest : OffsetSpec.Latest;
        var found = await OffsetLookup.ListOffsetsAsync(_cluster, unresolved.ToDictionary(kv => kv.Key, _ => spec), _options.IsolationLevel, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var (tp, offset) in found)
            {
                if (_partitions.TryGetValue(tp, out var state) && state.Epoch == unresolved[tp] && state.FetchPosition is null)
                {
                    state.FetchPosition = offset.Offset;
                    state.Position ??= offset.Offset;
                }
            }
        }
    }

    /// <summary>Queues an error for the application and stops fetching the partition. Caller holds the lock.</summary>
    private void FailPartition(TopicPartition tp, int epoch, KafkaException error)
    {
        if (_partitions.TryGetValue(tp, out var state) && state.Epoch == epoch)
        {
            state.Error = error;
            _buffer.Writer.TryWrite(new FetchedChunk(tp, epoch, new FetchedRecords(state.FetchPosition ?? -1), 0, error));
        }
    }

    /// <summary>One round: a Fetch to every leader that has fetchable partitions. False when there was nothing to fetch.</summary>
    private async Task<bool> FetchOnceAsync(CancellationToken cancellationToken)
    {
        List<(TopicPartition Tp, long Offset, int Epoch)> fetchable;
        lock (_lock)
        {
            fetchable = _partitions
                .Where(kv => kv.Value.FetchPosition is not null && kv.Value.Error is null && !kv.Value.Paused)
                .Select(kv => (kv.Key, kv.Value.FetchPosition!.Value, kv.Value.Epoch))
                .ToList();
        }
        if (fetchable.Count == 0)
        {
            return false;
        }
        var refresh = _staleMetadata;
        _staleMetadata = false;
        foreach (var topic in fetchable.Select(f => f.Tp.Topic).Distinct())
        {
            await _cluster.GetTopicAsync(topic, _options.Client.AllowAutoCreateTopics, forceRefresh: refresh, cancellationToken).ConfigureAwait(false);
        }
        var metadata = _cluster.Metadata;
        var byLeader = fetchable.GroupBy(f => metadata.Topics.TryGetValue(f.Tp.Topic, out var t) && f.Tp.Partition < t.Partitions.Count
            ? t.Partitions[f.Tp.Partition].Leader : -1);
        var rounds = new List<Task>();
        foreach (var group in byLeader)
        {
            if (group.Key < 0)
            {
                _staleMetadata = true;
                continue;
            }
            rounds.Add(FetchFromAsync(group.Key, group.ToList(), metadata, cancellationToken));
        }
        await Task.WhenAll(rounds).ConfigureAwait(false);
        return true;
    }

    private async Task FetchFromAsync(int leader, List<(TopicPartition Tp, long Offset, int Epoch)> partitions, ClusterMetadata metadata, CancellationToken cancellationToken)
    {
        var request = new FetchRequest
        {
            MaxWaitMs = _options.FetchMaxWaitMs,
            MinBytes = _options.FetchMinBytes,
            MaxBytes = _options.FetchMaxBytes,
            IsolationLevel = (sbyte)_options.IsolationLevel,
            SessionId = 0,
            SessionEpoch = -1,
        };
        foreach (var topic in partitions.GroupBy(p => p.Tp.Topic))
        {
            request.Topics.Add(new FetchRequest.FetchTopic
            {
                Topic = topic.Key,
                TopicId = metadata.Topics.TryGetValue(topic.Key, out var t) ? t.TopicId : Uuid.Zero,
                Partitions = topic.Select(p => new FetchRequest.FetchPartition
                {
                    Partition = p.Tp.Partition,
                    FetchOffset = p.Offset,
                    PartitionMaxBytes = _options.MaxPartitionFetchBytes,
                }).ToList(),
            });
        }
        var connection = await _cluster.GetConnectionAsync(leader, cancellationToken).ConfigureAwait(false);
        var response = await connection.SendAsync<FetchResponse>(request, cancellationToken).ConfigureAwait(false);
        if (response.ErrorCode != 0)
        {
            _staleMetadata = true;
            ClientThrow.IfError(response.ErrorCode, null, $"fetch from broker {leader}");
        }
        var wanted = partitions.ToDictionary(p => p.Tp);
        foreach (var topic in response.Responses)
        {
            var name = !string.IsNullOrEmpty(topic.Topic) ? topic.Topic
                : metadata.TopicNames.TryGetValue(topic.TopicId, out var n) ? n : null;
            if (name is null)
            {
                continue;
            }
            foreach (var data in topic.Partitions)
            {
                var tp = new TopicPartition(name, data.PartitionIndex);
                if (!wanted.TryGetValue(tp, out var asked))
                {
                    continue;
                }
                HandlePartition(tp, asked.Offset, asked.Epoch, data);
            }
        }
    }

    private void HandlePartition(TopicPartition tp, long fetchOffset, int epoch, FetchResponse.PartitionData data)
    {
        var error = (ErrorCode)data.ErrorCode;
        if (error == ErrorCode.OffsetOutOfRange)
        {
            lock (_lock)
            {
                if (_options.AutoOffsetReset == AutoOffsetReset.None)
                {
                    FailPartition(tp, epoch, new KafkaException(error, $"offset {fetchOffset} is out of range for {tp}"));
                }
                else if (_partitions.TryGetValue(tp, out var state) && state.Epoch == epoch)
                {
                    state.FetchPosition = null;
                    state.Position = null;
                }
            }
            return;
        }
        if (error != ErrorCode.None)
        {
            if (error.IsRetriable())
            {
                _staleMetadata = true;
                return;
            }
            lock (_lock)
            {
                FailPartition(tp, epoch, new KafkaException(error, $"fetch {tp}: {error.ToKafkaName()}"));
            }
            return;
        }
        FetchedRecords records;
        try
        {
            records = FetchDecoder.Decode(data, fetchOffset, _options.IsolationLevel, _options.CheckCrcs);
        }
        catch (Exception ex) when (ex is Strom.Protocol.Records.RecordFormatException or ProtocolException)
        {
            lock (_lock)
            {
                FailPartition(tp, epoch, new KafkaException(ErrorCode.CorruptMessage, $"fetch {tp} at {fetchOffset}: {ex.Message}", ex));
            }
            return;
        }
        lock (_lock)
        {
            if (!_partitions.TryGetValue(tp, out var state) || state.Epoch != epoch || state.FetchPosition != fetchOffset)
            {
                return; // sought or unassigned while the fetch was out
            }
            state.HighWatermark = data.HighWatermark;
            state.FetchPosition = records.NextOffset;
            if (records.Batches.Count == 0 && records.NextOffset == fetchOffset)
            {
                return;
            }
            var bytes = data.Records?.Length ?? 0;
            Interlocked.Add(ref _bufferedBytes, bytes);
            _buffer.Writer.TryWrite(new FetchedChunk(tp, epoch, records, bytes, null));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        if (_group is { } group)
        {
            using var closing = new CancellationTokenSource(_options.Client.RequestTimeoutMs);
            await group.CloseAsync(closing.Token).ConfigureAwait(false);
            await group.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Cancel();
        try
        {
            await _fetchLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _changed.Dispose();
        _drained.Dispose();
        _stop.Dispose();
    }

    private sealed class PartitionState
    {
        /// <summary>Bumped by every seek; fetched data of an older epoch is dropped.</summary>
        public int Epoch { get; set; }
        public long? FetchPosition { get; set; }
        public long? Position { get; set; }
        public long HighWatermark { get; set; } = -1;
        public KafkaException? Error { get; set; }
        /// <summary>Paused partitions are not fetched and return no records until resumed.</summary>
        public bool Paused { get; set; }
    }

    private sealed record FetchedChunk(TopicPartition Partition, int Epoch, FetchedRecords Records, long Bytes, KafkaException? Error);
}
