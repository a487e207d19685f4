namespace Strom.Interop.Tests;

/// <summary>
/// What the group's consumers were told about their commits, per partition: every offset ever
/// sent in a commit, the last acknowledged one, and those whose commit failed or was cut off
/// (the broker may or may not have written them). <see cref="Check"/> is the rule for what an
/// OffsetFetch after a kill may return.
/// </summary>
internal sealed class CommitLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, HashSet<long>> _sent = [];
    private readonly Dictionary<int, long> _acked = [];
    private readonly Dictionary<int, HashSet<long>> _unsettled = [];
    private readonly List<string> _problems = [];
    private int _ackedCommits;

    public int AckedCommits => Volatile.Read(ref _ackedCommits);

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_lock)
            {
                return [.. _problems];
            }
        }
    }

    public void Sending(IReadOnlyDictionary<int, long> offsets)
    {
        lock (_lock)
        {
            foreach (var (p, o) in offsets)
            {
                Set(_sent, p).Add(o);
            }
        }
    }

    /// <summary>The commit was acknowledged: its offsets are the partitions' committed offsets now (never lower than before).</summary>
    public void Acked(IReadOnlyDictionary<int, long> offsets)
    {
        lock (_lock)
        {
            foreach (var (p, o) in offsets)
            {
                if (_acked.TryGetValue(p, out var previous) && o < previous)
                {
                    _problems.Add($"partition {p}: commit of {o} acknowledged after one of {previous}");
                }
                _acked[p] = o;
            }
            _ackedCommits++;
        }
    }

    /// <summary>The commit failed or was cut off: the broker may have applied it or not.</summary>
    public void Unsettled(IReadOnlyDictionary<int, long> offsets)
    {
        lock (_lock)
        {
            foreach (var (p, o) in offsets)
            {
                Set(_unsettled, p).Add(o);
            }
        }
    }

    /// <summary>Partitions with a commit that failed or was cut off since the last <see cref="Check"/>.</summary>
    public int UnsettledCount
    {
        get
        {
            lock (_lock)
            {
                return _unsettled.Count;
            }
        }
    }

    public long? LastAcked(int partition)
    {
        lock (_lock)
        {
            return _acked.TryGetValue(partition, out var o) ? o : null;
        }
    }

    /// <summary>
    /// What OffsetFetch returns after a restart, against the ledger: every partition with an
    /// acknowledged commit has at least that offset (exactly that unless a later commit of it was
    /// unsettled), and every offset returned was sent in a commit. The fetched offsets then become
    /// the baseline, and unsettled commits are settled.
    /// </summary>
    public void Check(IReadOnlyDictionary<int, long> fetched, string when)
    {
        lock (_lock)
        {
            foreach (var (p, o) in fetched)
            {
                Assert.True(_sent.TryGetValue(p, out var sent) && sent.Contains(o),
                    $"{when}: partition {p} has committed offset {o}, which no consumer ever committed");
            }
            foreach (var (p, acked) in _acked)
            {
                Assert.True(fetched.TryGetValue(p, out var o), $"{when}: partition {p} lost its committed offset {acked}");
                Assert.True(o >= acked, $"{when}: partition {p} has committed offset {o}, below the acknowledged commit of {acked}");
                var maybe = _unsettled.TryGetValue(p, out var u) && u.Contains(o) && o > acked;
                Assert.True(o == acked || maybe,
                    $"{when}: partition {p} has committed offset {o}, not the last acknowledged {acked} nor an unsettled later commit");
                _acked[p] = o;
            }
            foreach (var (p, o) in fetched)
            {
                _acked[p] = o;
            }
            _unsettled.Clear();
        }
    }

    private static HashSet<long> Set(Dictionary<int, HashSet<long>> map, int partition)
    {
        if (!map.TryGetValue(partition, out var set))
        {
            map[partition] = set = [];
        }
        return set;
    }
}
