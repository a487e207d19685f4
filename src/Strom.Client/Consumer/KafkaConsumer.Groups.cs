using System.Text.RegularExpressions;
using Strom.Client.Config;
using Strom.Client.Consumer.Groups;

namespace Strom.Client.Consumer;

/// <summary>
/// Group membership and offsets: subscribe to topics or a pattern and let the group assign
/// partitions; commit positions or explicit offsets; read committed offsets. Newly assigned
/// partitions start at their committed offset, or at auto.offset.reset when there is none.
/// Rebalance callbacks run on the group's background loop and are awaited before the
/// consumer moves on (revoked: before positions are auto-committed and the partitions dropped).
/// </summary>
public sealed partial class KafkaConsumer
{
    private GroupMembership? _group;

    /// <summary>Called with the partitions newly assigned (cooperative: only the added ones).</summary>
    public Func<IReadOnlyList<TopicPartition>, Task>? PartitionsAssigned { get; set; }

    /// <summary>Called with partitions about to be taken away, while they can still be committed.</summary>
    public Func<IReadOnlyList<TopicPartition>, Task>? PartitionsRevoked { get; set; }

    /// <summary>Called when the member was dropped from the group and its partitions already belong to others (falls back to <see cref="PartitionsRevoked"/>).</summary>
    public Func<IReadOnlyList<TopicPartition>, Task>? PartitionsLost { get; set; }

    /// <summary>This member's id in the group (empty before it joins).</summary>
    public string MemberId => _group?.MemberId ?? "";

    /// <summary>The group generation this member belongs to (-1 outside one).</summary>
    public int GenerationId => _group?.GenerationId ?? -1;

    /// <summary>The assignor the coordinator chose for the current generation.</summary>
    public string? AssignorName => _group?.ProtocolName;

    /// <summary>The subscribed topics (for a pattern: those it matched at the last join).</summary>
    public IReadOnlyList<string> Subscription => _group?.Subscription ?? [];

    /// <summary>Joins group.id subscribed to <paramref name="topics"/>; the group assigns the partitions.</summary>
    public void Subscribe(IEnumerable<string> topics)
    {
        var list = topics.Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length == 0 || list.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("subscribe to at least one topic, with no empty names", nameof(topics));
        }
        BeginSubscription(list, null);
    }

    /// <summary>Joins group.id subscribed to every topic whose name matches <paramref name="pattern"/> (checked every metadata.max.age.ms).</summary>
    public void Subscribe(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        BeginSubscription(null, pattern);
    }

    private void BeginSubscription(IReadOnlyList<string>? topics, Regex? pattern)
    {
        lock (_lock)
        {
            if (_group is null && _partitions.Count > 0)
            {
                throw new InvalidOperationException("the consumer has manually assigned partitions; Assign([]) first");
            }
            _group ??= new GroupMembership(this, _cluster, _options);
        }
        _group.Subscribe(topics, pattern);
    }

    /// <summary>Leaves the subscription's partitions: revokes them and stops rejoining (the member stays known until its session ends).</summary>
    public async Task UnsubscribeAsync(CancellationToken cancellationToken = default)
    {
        if (_group is { } group)
        {
            _group = null;
            await group.CloseAsync(cancellationToken).ConfigureAwait(false);
            await group.DisposeAsync().ConfigureAwait(false);
        }
        lock (_lock)
        {
            _partitions.Clear();
        }
    }

    /// <summary>Commits the current position of every assigned partition and waits for the coordinator's answer.</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        CommitAsync(Positions().Select(kv => new KeyValuePair<TopicPartition, OffsetAndMetadata>(kv.Key, new OffsetAndMetadata(kv.Value))), cancellationToken);

    /// <summary>Commits the given offsets (the next record to read in each partition) and waits for the answer.</summary>
    public Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default) =>
        CommitAsync(offsets.Select(o => new KeyValuePair<TopicPartition, OffsetAndMetadata>(o.TopicPartition, new OffsetAndMetadata(o.Offset))), cancellationToken);

    /// <summary>Commits offsets with metadata strings and waits for the answer.</summary>
    public Task CommitAsync(IEnumerable<KeyValuePair<TopicPartition, OffsetAndMetadata>> offsets, CancellationToken cancellationToken = default) =>
        Group().CommitAsync(offsets.ToDictionary(kv => kv.Key, kv => kv.Value), cancellationToken);

    /// <summary>
    /// Commits the current positions without waiting (Java's commitAsync); <paramref name="completed"/>
    /// gets the offsets and null, or the error. Commits are not retried after a rebalance error.
    /// </summary>
    public void CommitInBackground(Action<IReadOnlyDictionary<TopicPartition, long>, Exception?>? completed = null)
    {
        var positions = Positions();
        var group = Group();
        _ = Task.Run(async () =>
        {
            Exception? error = null;
            try
            {
                await group.CommitAsync(positions.ToDictionary(kv => kv.Key, kv => new OffsetAndMetadata(kv.Value)), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error = ex;
            }
            completed?.Invoke(positions, error);
        });
    }

    /// <summary>The group's committed offset of each partition (OffsetFetch), null where none is committed.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata?>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default) =>
        await Group().FetchCommittedAsync(partitions.ToArray(), cancellationToken).ConfigureAwait(false);

    /// <summary>The group for commits: the subscription's, or (manual assignment with group.id) a membership that never joins.</summary>
    private GroupMembership Group()
    {
        lock (_lock)
        {
            return _group ??= new GroupMembership(this, _cluster, _options);
        }
    }

    /// <summary>Positions of the assigned partitions that have one.</summary>
    internal Dictionary<TopicPartition, long> Positions()
    {
        lock (_lock)
        {
            return _partitions.Where(kv => kv.Value.Position is not null).ToDictionary(kv => kv.Key, kv => kv.Value.Position!.Value);
        }
    }

    /// <summary>Adds partitions from the group; a start offset (committed) or null for auto.offset.reset.</summary>
    internal void AddAssigned(IReadOnlyDictionary<TopicPartition, long?> starts)
    {
        lock (_lock)
        {
            foreach (var (tp, offset) in starts)
            {
                _partitions[tp] = new PartitionState { Epoch = ++_nextEpoch, FetchPosition = offset, Position = offset };
            }
        }
        Signal(_changed);
    }

    /// <summary>Drops partitions the group took away; returns their last positions (for the final commit).</summary>
    internal Dictionary<TopicPartition, long> RemoveAssigned(IEnumerable<TopicPartition> partitions)
    {
        var positions = new Dictionary<TopicPartition, long>();
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                if (_partitions.Remove(tp, out var state) && state.Position is { } position)
                {
                    positions[tp] = position;
                }
            }
        }
        return positions;
    }

    internal async Task InvokeCallbackAsync(Func<IReadOnlyList<TopicPartition>, Task>? callback, IReadOnlyList<TopicPartition> partitions)
    {
        if (callback is null || partitions.Count == 0)
        {
            return;
        }
        try
        {
            await callback(partitions).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // As Java's consumer: a failing callback does not stop the rebalance.
        }
    }
}
