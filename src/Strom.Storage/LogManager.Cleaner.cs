using System.Collections.Concurrent;
using Strom.Storage.Formats;

namespace Strom.Storage;

public sealed partial class LogManager
{
    /// <summary>Per partition, where the dirty section of its log starts (cleaner-offset-checkpoint).</summary>
    private readonly ConcurrentDictionary<TopicPartition, long> _cleanerOffsets = new();
    private readonly Lock _cleanerLock = new();
    private Task? _cleanerLoop;

    /// <summary>The first dirty offset the cleaner recorded for a partition (0 when never cleaned).</summary>
    public long CleanerCheckpoint(TopicPartition tp) => _cleanerOffsets.GetValueOrDefault(tp);

    /// <summary>
    /// One cleaner pass: every log with cleanup.policy=compact is cleaned when due (see
    /// <see cref="PartitionLog.Clean"/>), and each log dir's cleaner-offset-checkpoint is updated.
    /// Passes never overlap. Returns the number of logs cleaned.
    /// </summary>
    public int RunCleaner(long nowMs, bool force = false, CancellationToken cancellationToken = default)
    {
        lock (_cleanerLock)
        {
            var cleaned = 0;
            foreach (var log in _logs.Values)
            {
                if (!log.Config.Compact)
                {
                    continue;
                }
                try
                {
                    var result = log.Clean(_cleanerOffsets.GetValueOrDefault(log.TopicPartition), nowMs, force, cancellationToken);
                    if (result.Cleaned)
                    {
                        _cleanerOffsets[log.TopicPartition] = result.FirstDirtyOffset;
                        cleaned++;
                    }
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or Protocol.Records.RecordFormatException)
                {
                    BackgroundError?.Invoke(e);
                }
            }
            if (cleaned > 0)
            {
                WriteCleanerCheckpoints();
            }
            return cleaned;
        }
    }

    private async Task RunCleanerLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(10, _config.CleanerBackoffMs)), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                RunCleaner(NowMs, cancellationToken: ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void LoadCleanerCheckpoint(string dir)
    {
        try
        {
            foreach (var (tp, offset) in OffsetCheckpointFile.Read(Path.Combine(dir, LogFileNames.CleanerOffsetCheckpoint)))
            {
                _cleanerOffsets[tp] = offset;
            }
        }
        catch (StorageException)
        {
            // A lost checkpoint only means the next pass treats the whole log as dirty.
        }
    }

    /// <summary>Writes cleaner-offset-checkpoint in every log dir.</summary>
    public void WriteCleanerCheckpoints()
    {
        lock (_checkpointLock)
        {
            foreach (var dir in _config.LogDirs)
            {
                var full = Path.GetFullPath(dir);
                OffsetCheckpointFile.Write(
                    Path.Combine(dir, LogFileNames.CleanerOffsetCheckpoint),
                    _logs.Values
                        .Where(l => ParentDir(l) == full && _cleanerOffsets.ContainsKey(l.TopicPartition))
                        .Select(l => KeyValuePair.Create(l.TopicPartition, _cleanerOffsets[l.TopicPartition]))
                        .ToList());
            }
        }
    }
}
