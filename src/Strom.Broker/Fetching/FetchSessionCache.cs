using Strom.Protocol;
using Strom.Storage;

namespace Strom.Broker.Fetching;

/// <summary>What a fetch session remembers per partition (KIP-227).</summary>
public sealed class FetchSessionPartition(TopicPartition id, Uuid topicId)
{
    public TopicPartition Id { get; } = id;
    public Uuid TopicId { get; } = topicId;
    public long FetchOffset { get; set; }
    public int MaxBytes { get; set; }
    public long LogStartOffset { get; set; } = -1;
    /// <summary>High watermark last sent; -1 until the partition has been answered once.</summary>
    public long LastHighWatermark { get; set; } = -1;
    public long LastLogStartOffset { get; set; } = -1;
}

/// <summary>
/// An incremental fetch session: the partitions a client fetches, so each request and response
/// carries only what changed. Partitions keep the order in which they were added.
/// </summary>
public sealed class FetchSession(int id)
{
    public int Id { get; } = id;
    public int NextEpoch { get; set; } = 1;
    public long LastUsedMs { get; set; }
    public List<FetchSessionPartition> Partitions { get; } = [];
    public Dictionary<TopicPartition, FetchSessionPartition> ByPartition { get; } = [];
    public Lock Lock { get; } = new();
}

/// <summary>
/// The broker's fetch sessions (max.incremental.fetch.session.cache.slots). A full fetch with
/// epoch 0 opens a session, epoch -1 closes one; a slot idle longest is reused when full.
/// </summary>
public sealed class FetchSessionCache(int maxSlots, TimeProvider time)
{
    public const int InitialEpoch = 0;
    public const int FinalEpoch = -1;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, FetchSession> _sessions = [];
    private int _nextId = Random.Shared.Next(1, int.MaxValue / 2);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Creates a session, evicting the least recently used one if the cache is full; null when slots are 0.</summary>
    public FetchSession? Create()
    {
        if (maxSlots <= 0)
        {
            return null;
        }
        lock (_lock)
        {
            if (_sessions.Count >= maxSlots)
            {
                var oldest = _sessions.Values.MinBy(s => s.LastUsedMs);
                if (oldest is not null)
                {
                    _sessions.Remove(oldest.Id);
                }
            }
            var id = _nextId++;
            if (_nextId <= 0)
            {
                _nextId = 1;
            }
            var session = new FetchSession(id) { LastUsedMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            _sessions[id] = session;
            return session;
        }
    }

    public FetchSession? Get(int id)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(id, out var session))
            {
                session.LastUsedMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                return session;
            }
            return null;
        }
    }

    public void Remove(int id)
    {
        lock (_lock)
        {
            _sessions.Remove(id);
        }
    }
}
