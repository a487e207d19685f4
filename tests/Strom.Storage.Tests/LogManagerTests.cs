using Strom.Protocol;
using Strom.Storage.Formats;

namespace Strom.Storage.Tests;

public class LogManagerTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly ManualTime _time = new(1_700_000_000_000);
    private readonly LogManagerConfig _config;

    public LogManagerTests() =>
        _config = new LogManagerConfig { LogDirs = [_tmp.Sub("a"), _tmp.Sub("b")] };

    public void Dispose() => _tmp.Dispose();

    private LogManager Open() => LogManager.Open(_config, LogConfig.Default with { FileDeleteDelayMs = 0 }, null, _time);

    [Fact]
    public void LogsSurviveRestartWithStartOffsetsAndCheckpoints()
    {
        var small = LogConfig.Default with { SegmentBytes = TestBatches.Build(2).Length * 2, FileDeleteDelayMs = 0 };
        using (var manager = Open())
        {
            var orders0 = manager.GetOrCreate(new TopicPartition("orders", 0), small);
            var orders1 = manager.GetOrCreate(new TopicPartition("orders", 1), small);
            Assert.Same(orders0, manager.GetOrCreate(new TopicPartition("orders", 0), small));
            Assert.NotEqual(Path.GetDirectoryName(orders0.Directory), Path.GetDirectoryName(orders1.Directory));
            for (var i = 0; i < 5; i++)
            {
                orders0.AppendBatch(2);
            }
            orders1.AppendBatch(3);
            orders0.HighWatermark = orders0.LogEndOffset;
            Assert.Equal(ErrorCode.None, orders0.DeleteRecordsBefore(7));
        }

        foreach (var dir in _config.LogDirs)
        {
            Assert.True(File.Exists(Path.Combine(dir, LogFileNames.CleanShutdownMarker)));
            Assert.True(File.Exists(Path.Combine(dir, LogFileNames.RecoveryPointCheckpoint)));
        }
        var startOffsets = _config.LogDirs
            .SelectMany(d => OffsetCheckpointFile.Read(Path.Combine(d, LogFileNames.LogStartOffsetCheckpoint)))
            .ToDictionary();
        Assert.Equal(7, startOffsets[new TopicPartition("orders", 0)]);

        using (var manager = Open())
        {
            var orders0 = manager.Get(new TopicPartition("orders", 0))!;
            Assert.Equal(7, orders0.LogStartOffset);
            Assert.Equal(10, orders0.LogEndOffset);
            Assert.Equal(3, manager.Get(new TopicPartition("orders", 1))!.LogEndOffset);
            Assert.Null(manager.Get(new TopicPartition("orders", 2)));
            foreach (var dir in _config.LogDirs)
            {
                Assert.False(File.Exists(Path.Combine(dir, LogFileNames.CleanShutdownMarker)));
            }
        }
    }

    [Fact]
    public void UncleanRestartRecoversTornTail()
    {
        var tp = new TopicPartition("events", 0);
        string logFile;
        long validSize;
        using (var manager = Open())
        {
            var log = manager.GetOrCreate(tp, LogConfig.Default);
            log.AppendBatch(2);
            log.AppendBatch(2);
            validSize = log.Size;
            logFile = LogFileNames.LogFile(log.Directory, 0);
        }
        // Simulate a crash: no marker, a half-written batch at the end.
        foreach (var dir in _config.LogDirs)
        {
            File.Delete(Path.Combine(dir, LogFileNames.CleanShutdownMarker));
        }
        using (var f = File.Open(logFile, FileMode.Append))
        {
            f.Write(TestBatches.Build(4).AsSpan(0, 70));
        }

        using var reopened = Open();
        var recovered = reopened.Get(tp)!;
        Assert.Equal(4, recovered.LogEndOffset);
        Assert.Equal(validSize, recovered.Size);
    }

    [Fact]
    public void DeleteTopicRemovesItsDirectories()
    {
        using var manager = Open();
        var keep = manager.GetOrCreate(new TopicPartition("keep", 0), LogConfig.Default);
        var doomed = Enumerable.Range(0, 3).Select(p => manager.GetOrCreate(new TopicPartition("gone", p), LogConfig.Default)).ToList();
        doomed[0].AppendBatch(1);
        Assert.Equal(3, manager.Delete("gone"));
        Assert.Null(manager.Get(new TopicPartition("gone", 0)));
        manager.Close();
        Assert.All(doomed, d => Assert.False(Directory.Exists(d.Directory)));
        Assert.True(Directory.Exists(keep.Directory));
        Assert.DoesNotContain(_config.LogDirs.SelectMany(Directory.GetDirectories), d => d.EndsWith("-delete", StringComparison.Ordinal));
    }

    [Fact]
    public void MaintenanceAppliesRetentionAndConfigUpdates()
    {
        using var manager = Open();
        var batch = TestBatches.Build(2).Length;
        var log = manager.GetOrCreate(new TopicPartition("t", 0), LogConfig.Default with { SegmentBytes = batch, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 4; i++)
        {
            log.AppendBatch(2, baseTimestamp: _time.NowMs);
        }
        Assert.Equal(4, log.SegmentCount);

        manager.RunMaintenance(_time.NowMs + 1_000); // retention not due yet
        Assert.Equal(4, log.SegmentCount);

        manager.UpdateConfig("t", log.Config with { RetentionBytes = batch * 2L });
        manager.RunMaintenance(_time.NowMs + _config.RetentionCheckIntervalMs);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(4, log.LogStartOffset);
    }

    [Fact]
    public void DescribeLogDirsReportsSizes()
    {
        using var manager = Open();
        var log = manager.GetOrCreate(new TopicPartition("t", 0), LogConfig.Default);
        log.AppendBatch(2);
        var dirs = manager.DescribeLogDirs();
        Assert.Equal(2, dirs.Count);
        var withLog = Assert.Single(dirs, d => d.Partitions.Count == 1);
        Assert.Equal(log.Size, withLog.Partitions[0].Size);
        Assert.Equal(0, withLog.Partitions[0].OffsetLag);
        Assert.True(withLog.TotalBytes > 0);
        Assert.InRange(withLog.UsableBytes, 0, withLog.TotalBytes);
    }
}
