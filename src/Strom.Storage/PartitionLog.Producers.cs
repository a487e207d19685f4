using Strom.Protocol.Records;
using Strom.Storage.Producers;

namespace Strom.Storage;

public sealed partial class PartitionLog
{
    /// <summary>Number of producer ids with state in this partition.</summary>
    public int ProducerCount
    {
        get
        {
            lock (_lock)
            {
                return _producers.Count;
            }
        }
    }

    /// <summary>A copy of one producer's state, or null when the partition has none for it.</summary>
    public ProducerStateEntry? FindProducer(long producerId)
    {
        lock (_lock)
        {
            return _producers.Get(producerId)?.Clone();
        }
    }

    /// <summary>Copies of every producer's state (DescribeProducers).</summary>
    public IReadOnlyList<ProducerStateEntry> Producers
    {
        get
        {
            lock (_lock)
            {
                return [.. _producers.Entries.Select(e => e.Clone())];
            }
        }
    }

    /// <summary>Drops producers idle for <paramref name="expirationMs"/> (producer.id.expiration.ms); returns how many.</summary>
    public int RemoveExpiredProducers(long nowMs, long expirationMs)
    {
        lock (_lock)
        {
            return _closed ? 0 : _producers.RemoveExpired(nowMs, expirationMs);
        }
    }

    /// <summary>Offsets of the last batch of every producer, which compaction keeps so the state can be rebuilt.</summary>
    internal HashSet<long> ProducerLastOffsets()
    {
        lock (_lock)
        {
            return [.. _producers.Entries.Select(e => e.LastOffset).Where(o => o >= 0)];
        }
    }

    /// <summary>Updates the producer state from batches just written (already stamped).</summary>
    private void TrackProducers(ReadOnlySpan<byte> batches)
    {
        for (var position = 0; position < batches.Length;)
        {
            var h = RecordBatchHeader.Parse(batches[position..]);
            _producers.OnAppended(h);
            position += h.TotalSize;
        }
    }

    /// <summary>
    /// Rebuilds the producer state for the current log: the newest snapshot at or below the log
    /// end, then the batch headers after it (the whole log when there is no snapshot); producers
    /// whose records all lie below the log start are dropped.
    /// </summary>
    private void LoadProducerState()
    {
        var from = _producers.LoadLatestSnapshot(_logEndOffset);
        if (from < _logEndOffset)
        {
            ReplayProducerState(Math.Max(from, 0));
        }
        _producers.OnLogStartOffsetIncremented(_logStartOffset);
    }

    private void ReplayProducerState(long from)
    {
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        foreach (var segment in _segments)
        {
            if (segment.NextOffset <= from)
            {
                continue;
            }
            var size = segment.Size;
            var position = 0;
            if (segment.BaseOffset < from && !segment.TryFindBatch(from, size, out position, out _))
            {
                continue;
            }
            while (segment.TryReadHeader(position, size, scratch, out var h))
            {
                if (h.LastOffset >= from)
                {
                    _producers.OnAppended(h);
                }
                position += h.TotalSize;
            }
        }
    }
}
