using Strom.Protocol;
using Strom.Protocol.Records;
using Strom.Storage.Formats;

namespace Strom.Storage.Producers;

/// <summary>
/// Idempotent producer state of one partition (KIP-98, with Kafka 2.5+ rules): the epoch and last
/// five batches per producer id, checked before an append and updated after it, snapshotted to
/// <c>&lt;offset&gt;.snapshot</c> files. Not thread-safe: the partition log calls it under its lock.
/// </summary>
internal sealed class ProducerStateManager(string directory)
{
    /// <summary>Snapshots kept on disk (the newest ones); older ones are deleted as new ones are taken.</summary>
    private const int SnapshotsKept = 2;

    private readonly Dictionary<long, ProducerStateEntry> _producers = [];

    public int Count => _producers.Count;

    public IEnumerable<ProducerStateEntry> Entries => _producers.Values;

    public ProducerStateEntry? Get(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// Checks every batch carrying a producer id against the state, without changing it. Returns
    /// the earlier batch when a client retries one of the last five (acknowledge it, append nothing);
    /// throws <see cref="StorageException"/> with INVALID_PRODUCER_EPOCH for an older epoch and
    /// OUT_OF_ORDER_SEQUENCE_NUMBER for a gap or a new epoch not starting at sequence 0. An unknown
    /// producer may start at any sequence (Kafka 2.5+: its state may have been removed by retention
    /// or expiry), so UNKNOWN_PRODUCER_ID is never returned.
    /// </summary>
    public ProducerBatchMetadata? Check(ReadOnlySpan<byte> batches, AppendOrigin origin)
    {
        Dictionary<long, (short Epoch, int LastSequence)>? pending = null;
        for (var position = 0; position < batches.Length;)
        {
            var h = RecordBatchHeader.Parse(batches[position..]);
            position += h.TotalSize;
            if (!h.HasProducerId || h.IsControl || origin == AppendOrigin.Replication)
            {
                continue;
            }
            var lastSequence = LastSequenceOf(h.BaseSequence, h.LastOffsetDelta);
            var entry = Get(h.ProducerId);
            short currentEpoch;
            int currentLast;
            if (pending is not null && pending.TryGetValue(h.ProducerId, out var p))
            {
                (currentEpoch, currentLast) = p;
            }
            else
            {
                if (entry?.FindDuplicate(h.ProducerEpoch, h.BaseSequence, lastSequence) is { } duplicate && origin == AppendOrigin.Client)
                {
                    return duplicate;
                }
                currentEpoch = entry?.Epoch ?? -1;
                currentLast = entry?.LastSequence ?? -1;
            }
            if (h.ProducerEpoch < currentEpoch)
            {
                ThrowHelper.ThrowProducerError(ErrorCode.InvalidProducerEpoch,
                    $"Epoch {h.ProducerEpoch} of producer {h.ProducerId} is older than its current epoch {currentEpoch}");
            }
            if (origin == AppendOrigin.Client)
            {
                if (h.ProducerEpoch != currentEpoch)
                {
                    if (h.BaseSequence != 0 && currentEpoch != -1)
                    {
                        ThrowHelper.ThrowProducerError(ErrorCode.OutOfOrderSequenceNumber,
                            $"Producer {h.ProducerId} started epoch {h.ProducerEpoch} at sequence {h.BaseSequence}, not 0");
                    }
                }
                else if (currentEpoch != -1 && !InSequence(currentLast, h.BaseSequence))
                {
                    ThrowHelper.ThrowProducerError(ErrorCode.OutOfOrderSequenceNumber,
                        $"Out of order sequence number for producer {h.ProducerId}: {h.BaseSequence} (incoming), {currentLast} (current end)");
                }
            }
            (pending ??= [])[h.ProducerId] = (h.ProducerEpoch, lastSequence);
        }
        return null;
    }

    /// <summary>Sequences wrap from int.MaxValue to 0 (KIP-98).</summary>
    public static int LastSequenceOf(int baseSequence, int lastOffsetDelta) =>
        baseSequence < 0 ? -1 : (int)((baseSequence + (long)lastOffsetDelta) % (int.MaxValue + 1L));

    private static bool InSequence(int lastSequence, int nextSequence) =>
        nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == int.MaxValue);

    /// <summary>Records a stamped batch that is now in the log (append and replay).</summary>
    public void OnAppended(in RecordBatchHeader h)
    {
        if (!h.HasProducerId)
        {
            return;
        }
        if (!_producers.TryGetValue(h.ProducerId, out var entry))
        {
            entry = new ProducerStateEntry(h.ProducerId, h.ProducerEpoch);
            _producers[h.ProducerId] = entry;
        }
        if (h.IsControl)
        {
            // A transaction marker ends the transaction and may carry a bumped epoch.
            if (h.ProducerEpoch > entry.Epoch)
            {
                entry.BumpEpoch(h.ProducerEpoch);
            }
            entry.CurrentTxnFirstOffset = -1;
            entry.LastTimestamp = h.MaxTimestamp;
            return;
        }
        if (h.IsTransactional && entry.CurrentTxnFirstOffset < 0)
        {
            entry.CurrentTxnFirstOffset = h.BaseOffset;
        }
        entry.Add(h.ProducerEpoch, new ProducerBatchMetadata(
            h.BaseSequence, LastSequenceOf(h.BaseSequence, h.LastOffsetDelta), h.LastOffsetDelta, h.LastOffset, h.MaxTimestamp));
    }

    /// <summary>Removes producers idle for longer than producer.id.expiration.ms (not those in a transaction).</summary>
    public int RemoveExpired(long nowMs, long expirationMs)
    {
        var removed = 0;
        foreach (var (id, entry) in _producers)
        {
            if (entry.CurrentTxnFirstOffset < 0 && nowMs - entry.LastTimestamp >= expirationMs)
            {
                _producers.Remove(id);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>The log start moved: forget producers whose records are all gone, and older snapshots.</summary>
    public void OnLogStartOffsetIncremented(long logStartOffset)
    {
        foreach (var (id, entry) in _producers)
        {
            if (entry.LastOffset >= 0 && entry.LastOffset < logStartOffset && entry.CurrentTxnFirstOffset < 0)
            {
                _producers.Remove(id);
            }
        }
        foreach (var offset in SnapshotOffsets())
        {
            if (offset < logStartOffset)
            {
                File.Delete(LogFileNames.SnapshotFile(directory, offset));
            }
        }
    }

    public void Clear() => _producers.Clear();

    /// <summary>
    /// Writes the state as of <paramref name="logEndOffset"/> and prunes older snapshots. A failed
    /// write is not fatal (the next open replays more of the log); returns false then.
    /// </summary>
    public bool TakeSnapshot(long logEndOffset)
    {
        try
        {
            ProducerSnapshotFile.Write(LogFileNames.SnapshotFile(directory, logEndOffset), _producers.Values);
            var offsets = SnapshotOffsets();
            for (var i = 0; i < offsets.Count - SnapshotsKept; i++)
            {
                File.Delete(LogFileNames.SnapshotFile(directory, offsets[i]));
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Replaces the state with the newest readable snapshot at or below <paramref name="logEndOffset"/>;
    /// deletes snapshots above it and corrupt ones. Returns the snapshot's offset, or -1 when none
    /// (the caller then replays the whole log).
    /// </summary>
    public long LoadLatestSnapshot(long logEndOffset)
    {
        _producers.Clear();
        var offsets = SnapshotOffsets();
        for (var i = offsets.Count - 1; i >= 0; i--)
        {
            var path = LogFileNames.SnapshotFile(directory, offsets[i]);
            if (offsets[i] > logEndOffset)
            {
                File.Delete(path);
                continue;
            }
            try
            {
                foreach (var entry in ProducerSnapshotFile.Parse(File.ReadAllBytes(path)))
                {
                    _producers[entry.ProducerId] = entry;
                }
                return offsets[i];
            }
            catch (StorageException)
            {
                _producers.Clear();
                File.Delete(path);
            }
        }
        return -1;
    }

    /// <summary>Deletes every snapshot (the log restarts empty).</summary>
    public void DeleteSnapshots()
    {
        foreach (var offset in SnapshotOffsets())
        {
            File.Delete(LogFileNames.SnapshotFile(directory, offset));
        }
    }

    /// <summary>Offsets of the snapshot files on disk, ascending.</summary>
    public List<long> SnapshotOffsets()
    {
        var offsets = new List<long>();
        if (!Directory.Exists(directory))
        {
            return offsets;
        }
        foreach (var path in Directory.EnumerateFiles(directory, "*" + LogFileNames.SnapshotSuffix))
        {
            if (LogFileNames.TryParseBaseOffset(Path.GetFileName(path), LogFileNames.SnapshotSuffix, out var offset))
            {
                offsets.Add(offset);
            }
        }
        offsets.Sort();
        return offsets;
    }
}
