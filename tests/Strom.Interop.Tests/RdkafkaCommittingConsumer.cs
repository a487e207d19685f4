using Confluent.Kafka;

namespace Strom.Interop.Tests;

/// <summary>What a group kill test drives: a consumer that reads and commits into a <see cref="CommitLedger"/>.</summary>
internal interface ICommittingConsumer : IAsyncDisposable
{
    void Start(int phase, Action<int, int, long> onRead);

    Task StopAsync();

    Task CommitRemainingAsync();
}

/// <summary>
/// <see cref="CommittingConsumer"/>'s librdkafka counterpart (Confluent.Kafka): reads on its own
/// thread and commits synchronously every <paramref name="commitEvery"/> records or when idle,
/// only partitions it owns (assignment callbacks run inside Consume, on the same thread).
/// While the broker is down a commit blocks until librdkafka gives up or the restarted broker
/// answers.
/// </summary>
internal sealed class RdkafkaCommittingConsumer(string bootstrap, string group, string topic, CommitLedger ledger, int commitEvery, int delayMs)
    : ICommittingConsumer
{
    private readonly IConsumer<Ignore, byte[]> _consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 3000,
        HeartbeatIntervalMs = 300,
        MaxPollIntervalMs = 10_000,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
    }).Build();

    private readonly HashSet<int> _owned = [];
    private readonly Dictionary<int, long> _positions = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start(int phase, Action<int, int, long> onRead)
    {
        _loop = Task.Factory.StartNew(() => Run(phase, onRead), TaskCreationOptions.LongRunning);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(KillRun.Timeout);
        }
    }

    public Task CommitRemainingAsync()
    {
        Commit();
        return Task.CompletedTask;
    }

    private void Run(int phase, Action<int, int, long> onRead)
    {
        _consumer.Subscribe(topic);
        var sinceCommit = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var r = _consumer.Consume(TimeSpan.FromMilliseconds(200));
                SyncOwned();
                if (r is null || r.IsPartitionEOF)
                {
                    if (sinceCommit > 0)
                    {
                        sinceCommit = 0;
                        Commit();
                    }
                    continue;
                }
                onRead(phase, r.Partition.Value, r.Offset.Value);
                _positions[r.Partition.Value] = r.Offset.Value + 1;
                if (++sinceCommit >= commitEvery)
                {
                    sinceCommit = 0;
                    Commit();
                }
                if (delayMs > 0)
                {
                    Thread.Sleep(delayMs);
                }
            }
            catch (KafkaException)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>The assignment as librdkafka holds it now; positions of partitions it lost are dropped.</summary>
    private void SyncOwned()
    {
        _owned.Clear();
        foreach (var tp in _consumer.Assignment)
        {
            _owned.Add(tp.Partition.Value);
        }
        foreach (var p in _positions.Keys.Where(p => !_owned.Contains(p)).ToList())
        {
            _positions.Remove(p);
        }
    }

    private void Commit()
    {
        SyncOwned();
        var offsets = _positions.ToDictionary();
        if (offsets.Count == 0)
        {
            return;
        }
        ledger.Sending(offsets);
        try
        {
            _consumer.Commit(offsets.Select(kv => new TopicPartitionOffset(topic, kv.Key, kv.Value)));
        }
        catch (KafkaException)
        {
            ledger.Unsettled(offsets);
            throw;
        }
        ledger.Acked(offsets);
        _positions.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }
}
