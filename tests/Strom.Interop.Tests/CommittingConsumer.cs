using Strom.Client.Consumer;
using StromTopicPartition = Strom.Client.TopicPartition;

namespace Strom.Interop.Tests;

/// <summary>
/// A Strom.Client consumer in a group that reads its assigned partitions and, every
/// <paramref name="commitEvery"/> records or when nothing more comes, commits the positions of
/// the partitions it read (those it still owns) synchronously, telling the <see cref="CommitLedger"/> what it sent and
/// how that ended. Every record read goes to <paramref name="reads"/> as (phase, partition, offset).
/// A revocation waits for a commit in flight, so a partition is never committed by its old owner
/// once its new owner may have started.
/// </summary>
internal sealed class CommittingConsumer : ICommittingConsumer
{
    private readonly KafkaConsumer _consumer;
    private readonly CommitLedger _ledger;
    private readonly string _topic;
    private readonly int _commitEvery;
    private readonly int _delayMs;
    private readonly SemaphoreSlim _committing = new(1, 1);
    private readonly HashSet<int> _owned = [];
    private readonly Dictionary<int, long> _positions = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public CommittingConsumer(string bootstrap, string group, string topic, CommitLedger ledger, int commitEvery, int delayMs)
    {
        _ledger = ledger;
        _topic = topic;
        _commitEvery = commitEvery;
        _delayMs = delayMs;
        _consumer = new KafkaConsumer(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = bootstrap,
            ["group.id"] = group,
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["session.timeout.ms"] = "3000",
            ["heartbeat.interval.ms"] = "300",
            ["max.poll.interval.ms"] = "10000",
            ["request.timeout.ms"] = "3000",
            ["retry.backoff.ms"] = "50",
        });
        _consumer.PartitionsAssigned = partitions => Change(partitions, add: true);
        _consumer.PartitionsRevoked = partitions => Change(partitions, add: false);
        _consumer.PartitionsLost = partitions => Change(partitions, add: false);
    }

    public void Start(int phase, Action<int, int, long> onRead)
    {
        _consumer.Subscribe([_topic]);
        _loop = Task.Run(() => RunAsync(phase, onRead));
    }

    /// <summary>Stops reading and committing (a commit in flight is cut off) and waits for the loop.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(KillRun.Timeout);
        }
    }

    /// <summary>Commits what it read and not yet committed (when the loop is stopped).</summary>
    public Task CommitRemainingAsync() => CommitAsync(CancellationToken.None);

    private async Task Change(IReadOnlyList<StromTopicPartition> partitions, bool add)
    {
        await _committing.WaitAsync();
        try
        {
            foreach (var tp in partitions)
            {
                if (add)
                {
                    _owned.Add(tp.Partition);
                }
                else
                {
                    _owned.Remove(tp.Partition);
                    _positions.Remove(tp.Partition);
                }
            }
        }
        finally
        {
            _committing.Release();
        }
    }

    private async Task RunAsync(int phase, Action<int, int, long> onRead)
    {
        var stop = _stop.Token;
        var sinceCommit = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await _consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), stop) is not { } r)
                {
                    // Nothing more to read for now: commit what was read since the last commit.
                    if (sinceCommit > 0)
                    {
                        sinceCommit = 0;
                        await CommitAsync(stop);
                    }
                    continue;
                }
                onRead(phase, r.Partition, r.Offset);
                await _committing.WaitAsync(stop);
                _positions[r.Partition] = r.Offset + 1;
                _committing.Release();
                if (++sinceCommit >= _commitEvery)
                {
                    sinceCommit = 0;
                    await CommitAsync(stop);
                }
                if (_delayMs > 0)
                {
                    await Task.Delay(_delayMs, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Strom.Client.KafkaException)
            {
                // The broker is gone or the group is rebalancing: keep polling.
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _committing.WaitAsync(CancellationToken.None);
        try
        {
            var offsets = _positions.Where(kv => _owned.Contains(kv.Key)).ToDictionary();
            if (offsets.Count == 0)
            {
                return;
            }
            _ledger.Sending(offsets);
            try
            {
                await _consumer.CommitAsync(offsets.Select(kv => new Strom.Client.TopicPartitionOffset(_topic, kv.Key, kv.Value)), cancellationToken);
            }
            catch (Exception ex) when (ex is Strom.Client.KafkaException or OperationCanceledException)
            {
                _ledger.Unsettled(offsets);
                throw;
            }
            _ledger.Acked(offsets);
            _positions.Clear();
        }
        finally
        {
            _committing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        await _consumer.DisposeAsync();
        _stop.Dispose();
        _committing.Dispose();
    }
}
