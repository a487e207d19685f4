using Strom.Storage.Formats;

namespace Strom.Storage;

/// <summary>
/// Leader epoch -> first offset of that epoch (KIP-101/279), persisted to
/// <c>leader-epoch-checkpoint</c> on every change. Mutated under the log's writer lock.
/// </summary>
internal sealed class LeaderEpochCache
{
    private readonly string _path;
    private readonly List<EpochEntry> _entries;

    private LeaderEpochCache(string path, List<EpochEntry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static LeaderEpochCache Load(string dir)
    {
        var path = Path.Combine(dir, LogFileNames.LeaderEpochCheckpoint);
        List<EpochEntry> entries = [];
        if (File.Exists(path))
        {
            try
            {
                entries = LeaderEpochCheckpointFile.Parse(File.ReadAllBytes(path));
            }
            catch (StorageException)
            {
                // A corrupt cache only loses epoch history; the next leader append starts it again.
                entries = [];
            }
        }
        return new LeaderEpochCache(path, entries);
    }

    public IReadOnlyList<EpochEntry> Entries => _entries;

    public int LatestEpoch => _entries.Count == 0 ? -1 : _entries[^1].Epoch;

    /// <summary>Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/> if it is new.</summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0 || epoch <= LatestEpoch)
        {
            return;
        }
        _entries.Add(new EpochEntry(epoch, startOffset));
        Persist();
    }

    /// <summary>Drops epochs starting at or after <paramref name="endOffset"/> (log truncation).</summary>
    public void TruncateFromEnd(long endOffset)
    {
        var removed = _entries.RemoveAll(e => e.StartOffset >= endOffset);
        if (removed > 0)
        {
            Persist();
        }
    }

    /// <summary>Drops epochs wholly below <paramref name="startOffset"/>; the one holding it now starts there.</summary>
    public void TruncateFromStart(long startOffset)
    {
        var last = _entries.FindLastIndex(e => e.StartOffset <= startOffset);
        if (last < 0 || (last == 0 && _entries[0].StartOffset == startOffset))
        {
            return;
        }
        var epoch = _entries[last].Epoch;
        _entries.RemoveRange(0, last + 1);
        _entries.Insert(0, new EpochEntry(epoch, startOffset));
        Persist();
    }

    /// <summary>
    /// OffsetsForLeaderEpoch: the largest epoch at or below <paramref name="epoch"/> and the offset
    /// where the next epoch starts (log end for the latest); (-1, -1) when unknown.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int epoch, long logEndOffset)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Epoch <= epoch)
            {
                return (_entries[i].Epoch, i == _entries.Count - 1 ? logEndOffset : _entries[i + 1].StartOffset);
            }
        }
        return (-1, -1);
    }

    public void Clear()
    {
        _entries.Clear();
        Persist();
    }

    private void Persist() => LeaderEpochCheckpointFile.Write(_path, _entries);
}
