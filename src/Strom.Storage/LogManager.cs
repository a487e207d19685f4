using System.Collections.Concurrent;
using System.Globalization;
using Strom.Storage.Formats;

namespace Strom.Storage;

/// <summary>
/// Owns every partition log under the log dirs: loads them at start (recovering after an unclean
/// shutdown), creates and deletes them, runs retention and flush checks in the background, and
/// writes the per-dir recovery-point and log-start-offset checkpoints and clean-shutdown marker.
/// </summary>
public sealed partial class LogManager : IDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly LogManagerConfig _config;
    private readonly TimeProvider _time;
    private readonly Lock _checkpointLock = new();
    private readonly ConcurrentBag<Task> _directoryDeletes = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _lastRetentionMs;
    private long _lastFlushCheckMs;
    private long _lastRecoveryCheckpointMs;
    private long _lastStartOffsetCheckpointMs;
    private long _lastProducerExpiryMs;
    private bool _closed;

    private LogManager(LogManagerConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        var now = NowMs;
        _lastRetentionMs = _lastFlushCheckMs = _lastRecoveryCheckpointMs = _lastStartOffsetCheckpointMs = _lastProducerExpiryMs = now;
    }

    /// <summary>Reported for failures in background work (retention, flush, checkpoints, directory deletes).</summary>
    public event Action<Exception>? BackgroundError;

    public IReadOnlyList<string> LogDirs => _config.LogDirs;

    /// <summary>All open logs.</summary>
    public ICollection<PartitionLog> Logs => _logs.Values;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Loads every log under <see cref="LogManagerConfig.LogDirs"/>. <paramref name="configFor"/>
    /// supplies each topic's config (the default when null).
    /// </summary>
    public static LogManager Open(LogManagerConfig config, LogConfig defaultConfig, Func<string, LogConfig>? configFor = null, TimeProvider? time = null)
    {
        var manager = new LogManager(config, time ?? TimeProvider.System);
        foreach (var dir in config.LogDirs)
        {
            manager.LoadDir(dir, topic => configFor?.Invoke(topic) ?? defaultConfig);
        }
        manager.WriteCheckpoints();
        return manager;
    }

    private void LoadDir(string dir, Func<string, LogConfig> configFor)
    {
        Directory.CreateDirectory(dir);
        var marker = Path.Combine(dir, LogFileNames.CleanShutdownMarker);
        var clean = File.Exists(marker);
        var recoveryPoints = ReadCheckpoint(Path.Combine(dir, LogFileNames.RecoveryPointCheckpoint), ref clean);
        var startOffsets = ReadCheckpoint(Path.Combine(dir, LogFileNames.LogStartOffsetCheckpoint), ref clean);
        LoadCleanerCheckpoint(dir);
        var partitions = new List<(TopicPartition Tp, string Path)>();
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            var name = Path.GetFileName(sub);
            if (name.EndsWith(LogFileNames.DeleteDirSuffix, StringComparison.Ordinal))
            {
                DeleteDirectoryInBackground(sub);
            }
            else if (TopicPartition.TryParseDirectoryName(name, out var tp))
            {
                partitions.Add((tp, sub));
            }
        }
        var wasClean = clean;
        Parallel.ForEach(
            partitions,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _config.NumRecoveryThreadsPerDataDir) },
            p =>
            {
                var state = new LogLoadState(
                    recoveryPoints.GetValueOrDefault(p.Tp, 0),
                    startOffsets.GetValueOrDefault(p.Tp, 0),
                    wasClean && recoveryPoints.ContainsKey(p.Tp));
                _logs[p.Tp] = PartitionLog.Open(p.Path, p.Tp, configFor(p.Tp.Topic), state, _time);
            });
        // From here on a crash is unclean until Close writes the marker again.
        File.Delete(marker);
    }

    private static Dictionary<TopicPartition, long> ReadCheckpoint(string path, ref bool clean)
    {
        try
        {
            return OffsetCheckpointFile.Read(path);
        }
        catch (StorageException)
        {
            // Without trustworthy checkpoints, recover everything from the start.
            clean = false;
            return [];
        }
    }

    public PartitionLog? Get(TopicPartition tp) => _logs.GetValueOrDefault(tp);

    /// <summary>Returns the partition's log, creating it in the log dir with the fewest partitions.</summary>
    public PartitionLog GetOrCreate(TopicPartition tp, LogConfig config)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_logs.TryGetValue(tp, out var existing))
        {
            return existing;
        }
        lock (_checkpointLock)
        {
            if (_logs.TryGetValue(tp, out existing))
            {
                return existing;
            }
            var dir = _config.LogDirs
                .OrderBy(d => _logs.Values.Count(l => ParentDir(l) == Path.GetFullPath(d)))
                .First();
            var log = PartitionLog.Open(Path.Combine(dir, tp.DirectoryName), tp, config, LogLoadState.Unknown, _time);
            _logs[tp] = log;
            return log;
        }
    }

    /// <summary>Deletes every partition log of <paramref name="topic"/>; returns how many.</summary>
    public int Delete(string topic)
    {
        var count = 0;
        foreach (var tp in _logs.Keys.Where(k => k.Topic == topic).ToList())
        {
            count += Delete(tp) ? 1 : 0;
        }
        return count;
    }

    /// <summary>
    /// Closes the log and renames its directory to <c>&lt;topic&gt;-&lt;partition&gt;.&lt;uuid&gt;-delete</c>
    /// (so a restart finishes the job), then deletes it in the background.
    /// </summary>
    public bool Delete(TopicPartition tp)
    {
        if (!_logs.TryRemove(tp, out var log))
        {
            return false;
        }
        log.Close();
        _cleanerOffsets.TryRemove(tp, out _);
        var renamed = string.Create(CultureInfo.InvariantCulture, $"{log.Directory}.{Guid.NewGuid():N}{LogFileNames.DeleteDirSuffix}");
        Directory.Move(log.Directory, renamed);
        DeleteDirectoryInBackground(renamed);
        return true;
    }

    /// <summary>Applies a topic's changed config to its open logs.</summary>
    public void UpdateConfig(string topic, LogConfig config)
    {
        foreach (var (tp, log) in _logs)
        {
            if (tp.Topic == topic)
            {
                log.UpdateConfig(config);
            }
        }
    }

    /// <summary>Starts the background loop (retention, flush.ms, checkpoints).</summary>
    public void Start()
    {
        var tickMs = new[]
        {
            _config.RetentionCheckIntervalMs, _config.FlushSchedulerIntervalMs,
            _config.FlushOffsetCheckpointIntervalMs, _config.FlushStartOffsetCheckpointIntervalMs,
            _config.ProducerIdExpirationCheckIntervalMs, 30_000L,
        }.Min();
        _loop ??= Task.Run(() => RunLoopAsync(TimeSpan.FromMilliseconds(Math.Max(10, tickMs)), _stop.Token));
        if (_config.CleanerEnabled)
        {
            _cleanerLoop ??= Task.Run(() => RunCleanerLoopAsync(_stop.Token));
        }
    }

    private async Task RunLoopAsync(TimeSpan tick, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                RunMaintenance(NowMs);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One pass of the background work that is due at <paramref name="nowMs"/>.</summary>
    public void RunMaintenance(long nowMs)
    {
        if (nowMs - _lastRetentionMs >= _config.RetentionCheckIntervalMs)
        {
            _lastRetentionMs = nowMs;
            ForEachLog(log => log.ApplyRetention(nowMs));
        }
        if (nowMs - _lastProducerExpiryMs >= _config.ProducerIdExpirationCheckIntervalMs)
        {
            _lastProducerExpiryMs = nowMs;
            ForEachLog(log => log.RemoveExpiredProducers(nowMs, _config.ProducerIdExpirationMs));
        }
        if (nowMs - _lastFlushCheckMs >= _config.FlushSchedulerIntervalMs)
        {
            _lastFlushCheckMs = nowMs;
            ForEachLog(log => log.FlushIfDue(nowMs));
        }
        var recovery = nowMs - _lastRecoveryCheckpointMs >= _config.FlushOffsetCheckpointIntervalMs;
        var start = nowMs - _lastStartOffsetCheckpointMs >= _config.FlushStartOffsetCheckpointIntervalMs;
        if (recovery || start)
        {
            _lastRecoveryCheckpointMs = recovery ? nowMs : _lastRecoveryCheckpointMs;
            _lastStartOffsetCheckpointMs = start ? nowMs : _lastStartOffsetCheckpointMs;
            try
            {
                WriteCheckpoints(recovery, start);
            }
            catch (IOException e)
            {
                BackgroundError?.Invoke(e);
            }
        }
    }

    private void ForEachLog(Action<PartitionLog> action)
    {
        foreach (var log in _logs.Values)
        {
            try
            {
                action(log);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                BackgroundError?.Invoke(e);
            }
        }
    }

    /// <summary>Writes recovery-point-offset-checkpoint and log-start-offset-checkpoint in every log dir.</summary>
    public void WriteCheckpoints(bool recoveryPoints = true, bool logStartOffsets = true)
    {
        lock (_checkpointLock)
        {
            foreach (var dir in _config.LogDirs)
            {
                var full = Path.GetFullPath(dir);
                var logs = _logs.Values.Where(l => ParentDir(l) == full).ToList();
                if (recoveryPoints)
                {
                    OffsetCheckpointFile.Write(
                        Path.Combine(dir, LogFileNames.RecoveryPointCheckpoint),
                        logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.RecoveryPoint)).ToList());
                }
                if (logStartOffsets)
                {
                    OffsetCheckpointFile.Write(
                        Path.Combine(dir, LogFileNames.LogStartOffsetCheckpoint),
                        logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.LogStartOffset)).ToList());
                }
            }
        }
    }

    /// <summary>DescribeLogDirs: each dir's capacity and its partitions' sizes and offset lags.</summary>
    public IReadOnlyList<LogDirDescription> DescribeLogDirs()
    {
        var result = new List<LogDirDescription>();
        foreach (var dir in _config.LogDirs)
        {
            var full = Path.GetFullPath(dir);
            long total = 0, usable = 0;
            try
            {
                var drive = new DriveInfo(full);
                total = drive.TotalSize;
                usable = drive.AvailableFreeSpace;
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                total = usable = -1;
            }
            var partitions = _logs.Values
                .Where(l => ParentDir(l) == full)
                .Select(l => new PartitionLogDescription(l.TopicPartition, l.Size, Math.Max(0, l.HighWatermark - l.LogEndOffset), false))
                .OrderBy(p => p.TopicPartition.Topic, StringComparer.Ordinal).ThenBy(p => p.TopicPartition.Partition)
                .ToList();
            result.Add(new LogDirDescription(full, total, usable, partitions));
        }
        return result;
    }

    /// <summary>Stops background work, closes every log, writes checkpoints and the clean-shutdown markers.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _stop.Cancel();
        try
        {
            _loop?.Wait();
            _cleanerLoop?.Wait();
        }
        catch (AggregateException)
        {
        }
        foreach (var log in _logs.Values)
        {
            log.Close();
        }
        WriteCheckpoints();
        WriteCleanerCheckpoints();
        foreach (var dir in _config.LogDirs)
        {
            File.WriteAllBytes(Path.Combine(dir, LogFileNames.CleanShutdownMarker), []);
        }
        Task.WaitAll([.. _directoryDeletes]);
        _stop.Dispose();
    }

    public void Dispose() => Close();

    private void DeleteDirectoryInBackground(string path) =>
        _directoryDeletes.Add(Task.Run(() =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException e)
            {
                BackgroundError?.Invoke(e);
            }
        }));

    private static string ParentDir(PartitionLog log) => Path.GetDirectoryName(Path.GetFullPath(log.Directory))!;
}
