using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Strom.Storage.Formats;

namespace Strom.Storage.Segments;

/// <summary>
/// A sparse segment index (<c>.index</c> or <c>.timeindex</c>): entries live in memory for lookups
/// and are written to the file on flush, roll and close. Entries are only appended under the log's
/// writer lock; readers search a snapshot (array, count) without locking. Truncation copies the
/// array so that a concurrent reader keeps a consistent view.
/// </summary>
internal sealed class SegmentIndex<T> : IDisposable where T : struct, IIndexEntry<T>
{
    private string _path;
    private SafeFileHandle? _handle;
    private T[] _entries = new T[16];
    private int _count;
    private int _persisted;
    private readonly int _maxEntries;

    public SegmentIndex(string path, int maxIndexBytes)
    {
        _path = path;
        _maxEntries = Math.Max(1, maxIndexBytes / T.EntrySize);
    }

    public string Path => _path;

    public int Count => Volatile.Read(ref _count);

    public bool IsFull => _count >= _maxEntries;

    public T? Last => _count == 0 ? null : _entries[_count - 1];

    public T this[int index] => Volatile.Read(ref _entries)[index];

    /// <summary>Loads the file; false when it is missing or corrupt (wrong size, keys out of order).</summary>
    public bool TryLoad()
    {
        if (!File.Exists(_path))
        {
            return false;
        }
        var bytes = File.ReadAllBytes(_path);
        if (bytes.Length % T.EntrySize != 0)
        {
            return false;
        }
        var count = bytes.Length / T.EntrySize;
        var entries = new T[Math.Max(16, count)];
        for (var i = 0; i < count; i++)
        {
            entries[i] = T.Parse(bytes.AsSpan(i * T.EntrySize, T.EntrySize));
            if (entries[i].RelativeOffset < 0 || (i > 0 && !T.IsValidSuccessor(entries[i - 1], entries[i])))
            {
                return false;
            }
        }
        _entries = entries;
        _count = count;
        _persisted = count;
        return true;
    }

    public void Append(T entry)
    {
        var entries = _entries;
        if (_count == entries.Length)
        {
            var grown = new T[entries.Length * 2];
            entries.AsSpan(0, _count).CopyTo(grown);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }
        entries[_count] = entry;
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Index of the last entry whose key is at or below <paramref name="key"/>, or -1.</summary>
    public int FindLastAtOrBelow(long key)
    {
        var entries = Volatile.Read(ref _entries);
        var count = Math.Min(Volatile.Read(ref _count), entries.Length);
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (entries[mid].Key <= key)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>Drops every entry whose relative offset is at or above <paramref name="relativeOffset"/>.</summary>
    public void TruncateFromRelativeOffset(int relativeOffset)
    {
        var keep = _count;
        while (keep > 0 && _entries[keep - 1].RelativeOffset >= relativeOffset)
        {
            keep--;
        }
        if (keep == _count)
        {
            return;
        }
        var copy = new T[Math.Max(16, _entries.Length)];
        _entries.AsSpan(0, keep).CopyTo(copy);
        Volatile.Write(ref _entries, copy);
        Volatile.Write(ref _count, keep);
        if (_persisted > keep)
        {
            _persisted = keep;
            RandomAccess.SetLength(OpenHandle(), (long)keep * T.EntrySize);
        }
    }

    /// <summary>Empties the index (before a rebuild from the log).</summary>
    public void Reset()
    {
        Volatile.Write(ref _entries, new T[16]);
        Volatile.Write(ref _count, 0);
        _persisted = 0;
        RandomAccess.SetLength(OpenHandle(), 0);
    }

    /// <summary>Writes entries not yet on disk; fsyncs when asked.</summary>
    public void Flush(bool fsync)
    {
        var count = _count;
        if (count > _persisted)
        {
            var pending = count - _persisted;
            var bytes = ArrayPool<byte>.Shared.Rent(pending * T.EntrySize);
            try
            {
                for (var i = 0; i < pending; i++)
                {
                    _entries[_persisted + i].Format(bytes.AsSpan(i * T.EntrySize, T.EntrySize));
                }
                RandomAccess.Write(OpenHandle(), bytes.AsSpan(0, pending * T.EntrySize), (long)_persisted * T.EntrySize);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
            _persisted = count;
        }
        if (fsync)
        {
            Fsync();
        }
    }

    /// <summary>fsyncs what <see cref="Flush"/> wrote; safe outside the writer lock.</summary>
    public void Fsync()
    {
        if (Volatile.Read(ref _handle) is { } handle)
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    public void Rename(string newPath)
    {
        if (File.Exists(_path))
        {
            File.Move(_path, newPath, overwrite: true);
        }
        _path = newPath;
    }

    public void DeleteFile()
    {
        Dispose();
        File.Delete(_path);
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
    }

    private SafeFileHandle OpenHandle() =>
        _handle ??= File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
}
