namespace Strom.Storage.Producers;

/// <summary>Who is appending: clients get sequence checks; replication and coordinators do not.</summary>
public enum AppendOrigin
{
    Client,
    Coordinator,
    Replication,
}

/// <summary>One appended batch of an idempotent producer, kept to recognise a retried duplicate.</summary>
/// <param name="FirstSequence">The batch's base sequence.</param>
/// <param name="LastSequence">Base sequence plus last offset delta, wrapping past int.MaxValue to 0.</param>
/// <param name="OffsetDelta">The batch's last offset delta: its first offset is <c>LastOffset - OffsetDelta</c>.</param>
/// <param name="LastOffset">Offset of the batch's last record.</param>
/// <param name="Timestamp">The batch's max timestamp.</param>
public readonly record struct ProducerBatchMetadata(int FirstSequence, int LastSequence, int OffsetDelta, long LastOffset, long Timestamp)
{
    public long FirstOffset => LastOffset - OffsetDelta;
}

/// <summary>
/// What a partition remembers of one producer id: its epoch and its last five batches (the
/// most a client keeps in flight, max.in.flight.requests.per.connection = 5).
/// </summary>
public sealed class ProducerStateEntry
{
    public const int MaxBatches = 5;

    private readonly List<ProducerBatchMetadata> _batches = new(MaxBatches);

    public ProducerStateEntry(long producerId, short epoch)
    {
        ProducerId = producerId;
        Epoch = epoch;
    }

    public long ProducerId { get; }

    public short Epoch { get; private set; }

    /// <summary>Max timestamp of the last batch; producer.id.expiration.ms counts from it.</summary>
    public long LastTimestamp { get; internal set; } = -1;

    /// <summary>First offset of the open transaction, -1 when none (kept for transactions; not tracked yet).</summary>
    public long CurrentTxnFirstOffset { get; internal set; } = -1;

    /// <summary>Coordinator epoch of the last transaction marker, -1 when none.</summary>
    public int CoordinatorEpoch { get; internal set; } = -1;

    /// <summary>The last batches of the current epoch, oldest first.</summary>
    public IReadOnlyList<ProducerBatchMetadata> Batches => _batches;

    /// <summary>Last sequence of the current epoch, -1 when no batch is known.</summary>
    public int LastSequence => _batches.Count == 0 ? -1 : _batches[^1].LastSequence;

    /// <summary>Offset of the last record this producer appended, -1 when unknown.</summary>
    public long LastOffset => _batches.Count == 0 ? -1 : _batches[^1].LastOffset;

    /// <summary>A batch of the current epoch with exactly these sequences, if it is among the last five.</summary>
    public ProducerBatchMetadata? FindDuplicate(short epoch, int firstSequence, int lastSequence)
    {
        if (epoch != Epoch)
        {
            return null;
        }
        foreach (var b in _batches)
        {
            if (b.FirstSequence == firstSequence && b.LastSequence == lastSequence)
            {
                return b;
            }
        }
        return null;
    }

    /// <summary>Records an appended batch; a new epoch forgets the old epoch's batches.</summary>
    internal void Add(short epoch, ProducerBatchMetadata batch)
    {
        BumpEpoch(epoch);
        if (_batches.Count == MaxBatches)
        {
            _batches.RemoveAt(0);
        }
        _batches.Add(batch);
        LastTimestamp = batch.Timestamp;
    }

    internal void BumpEpoch(short epoch)
    {
        if (epoch != Epoch)
        {
            Epoch = epoch;
            _batches.Clear();
        }
    }

    /// <summary>A copy that later appends do not change.</summary>
    internal ProducerStateEntry Clone()
    {
        var copy = new ProducerStateEntry(ProducerId, Epoch)
        {
            LastTimestamp = LastTimestamp,
            CurrentTxnFirstOffset = CurrentTxnFirstOffset,
            CoordinatorEpoch = CoordinatorEpoch,
        };
        copy._batches.AddRange(_batches);
        return copy;
    }

    /// <summary>Restores a batch read from a snapshot (oldest first), without touching the epoch.</summary>
    internal void Restore(ProducerBatchMetadata batch)
    {
        if (_batches.Count == MaxBatches)
        {
            _batches.RemoveAt(0);
        }
        _batches.Add(batch);
    }
}
