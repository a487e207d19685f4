using Strom.Protocol;
using Strom.Protocol.Records;
using Strom.Storage.Formats;

namespace Strom.Storage.Tests;

public class RecoveryTests
{
    private static readonly TopicPartition Tp = LogTestExtensions.Tp;

    /// <summary>Writes batches of 1..n records; returns the log file bytes and each batch's start position.</summary>
    private static (byte[] File, List<int> Starts) WriteLog(string dir, int batches, LogConfig? config = null)
    {
        using (var log = PartitionLog.Open(dir, Tp, config ?? LogConfig.Default))
        {
            for (var i = 0; i < batches; i++)
            {
                log.AppendBatch(i % 3 + 1, baseTimestamp: 1_000 + i);
            }
        }
        var bytes = File.ReadAllBytes(LogFileNames.LogFile(dir, 0));
        var starts = new List<int>();
        for (var p = 0; p < bytes.Length; p += RecordBatchHeader.Parse(bytes.AsSpan(p)).TotalSize)
        {
            starts.Add(p);
        }
        return (bytes, starts);
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TornTailAtEveryByteIsTruncated(bool claimsCleanShutdown)
    {
        using var tmp = new TempDir();
        var golden = tmp.Sub("golden");
        var (bytes, starts) = WriteLog(golden, 6);
        var lastStart = starts[^1];
        var lastBase = RecordBatchHeader.Parse(bytes.AsSpan(lastStart)).BaseOffset;
        var state = new LogLoadState(0, 0, claimsCleanShutdown);

        for (var cut = lastStart + 1; cut < bytes.Length; cut++)
        {
            var dir = tmp.Sub("cut" + cut);
            CopyDir(golden, dir);
            using (var f = File.OpenHandle(LogFileNames.LogFile(dir, 0), FileMode.Open, FileAccess.ReadWrite))
            {
                RandomAccess.SetLength(f, cut);
            }

            using var log = PartitionLog.Open(dir, Tp, LogConfig.Default, state);
            Assert.Equal(lastBase, log.LogEndOffset);
            Assert.Equal(lastStart, log.Size);
            Assert.Equal(bytes.AsSpan(0, lastStart).ToArray(), log.ReadBytes(0));
            using (var atEnd = log.Read(lastBase, 1 << 20, long.MaxValue, true))
            {
                Assert.Equal(ErrorCode.None, atEnd.Error);
                Assert.True(atEnd.Records.IsEmpty);
            }
            Assert.Equal(lastBase, log.AppendBatch(2).FirstOffset);
            Assert.Equal(lastBase + 2, log.LogEndOffset);
            log.Delete();
        }
    }

    [Fact]
    public void FlippedByteTruncatesFromThatBatch()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("p");
        var (bytes, starts) = WriteLog(dir, 6);
        var victim = starts[3];
        var victimBase = RecordBatchHeader.Parse(bytes.AsSpan(victim)).BaseOffset;
        bytes[victim + RecordBatchHeader.Size + 2] ^= 0x40; // inside the records: CRC mismatch
        File.WriteAllBytes(LogFileNames.LogFile(dir, 0), bytes);

        using var log = PartitionLog.Open(dir, Tp, LogConfig.Default);
        Assert.Equal(victimBase, log.LogEndOffset);
        Assert.Equal(victim, log.Size);
        Assert.Equal(bytes.AsSpan(0, victim).ToArray(), log.ReadBytes(0));
        Assert.Equal(victimBase, log.AppendBatch(1).FirstOffset);
    }

    [Fact]
    public void ZeroTailFromPreallocationIsTruncated()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("p");
        var (bytes, _) = WriteLog(dir, 4);
        using (var f = File.OpenHandle(LogFileNames.LogFile(dir, 0), FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(f, bytes.Length + 8192);
        }

        using var log = PartitionLog.Open(dir, Tp, LogConfig.Default);
        Assert.Equal(bytes.Length, log.Size);
        Assert.Equal(new FileInfo(LogFileNames.LogFile(dir, 0)).Length, bytes.Length);
        Assert.Equal(bytes, log.ReadBytes(0));
    }

    [Fact]
    public void TornSegmentDropsLaterSegments()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("p");
        var config = LogConfig.Default with { SegmentBytes = 400 };
        long secondBase;
        using (var log = PartitionLog.Open(dir, Tp, config))
        {
            while (log.SegmentCount < 3)
            {
                log.AppendBatch(3);
            }
            secondBase = log.SegmentBaseOffsets[1];
        }
        var secondLog = LogFileNames.LogFile(dir, secondBase);
        var length = new FileInfo(secondLog).Length;
        using (var f = File.OpenHandle(secondLog, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(f, length - 5);
        }

        // Recovery point 0: every segment is validated; the torn middle one cuts off the rest.
        using var reopened = PartitionLog.Open(dir, Tp, config, new LogLoadState(0, 0, false));
        Assert.Equal(2, reopened.SegmentCount);
        var headers = reopened.ReadAll(0);
        Assert.Equal(reopened.LogEndOffset, headers[^1].NextOffset);
        Assert.True(reopened.LogEndOffset > secondBase);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("odd-size")]
    [InlineData("decreasing")]
    [InlineData("past-end")]
    public void BrokenIndexesAreRebuilt(string damage)
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("p");
        var config = LogConfig.Default with { IndexIntervalBytes = 100 };
        using (var log = PartitionLog.Open(dir, Tp, config))
        {
            for (var i = 0; i < 40; i++)
            {
                log.AppendBatch(i % 4 + 1, baseTimestamp: 10_000 + i * 10);
            }
        }
        var index = LogFileNames.IndexFile(dir, 0);
        var timeIndex = LogFileNames.TimeIndexFile(dir, 0);
        var goodIndex = File.ReadAllBytes(index);
        var goodTimeIndex = File.ReadAllBytes(timeIndex);
        Assert.True(goodIndex.Length >= 10 * OffsetIndexEntry.Size);
        switch (damage)
        {
            case "delete":
                File.Delete(index);
                File.Delete(timeIndex);
                break;
            case "odd-size":
                File.WriteAllBytes(index, [.. goodIndex, 1, 2, 3]);
                File.WriteAllBytes(timeIndex, [1, 2, 3, 4, 5]);
                break;
            case "decreasing":
                var swapped = (byte[])goodIndex.Clone();
                goodIndex.AsSpan(0, 8).CopyTo(swapped.AsSpan(8));
                goodIndex.AsSpan(8, 8).CopyTo(swapped);
                File.WriteAllBytes(index, swapped);
                break;
            case "past-end":
                var far = new byte[8];
                new OffsetIndexEntry(int.MaxValue - 1, int.MaxValue - 1).Format(far);
                File.WriteAllBytes(index, [.. goodIndex, .. far]);
                break;
        }

        // A clean shutdown is claimed, so only the index checks can trigger the rebuild.
        using var reopened = PartitionLog.Open(dir, Tp, config, new LogLoadState(long.MaxValue, 0, true));
        Assert.Equal(100, reopened.LogEndOffset);
        for (long offset = 0; offset < reopened.LogEndOffset; offset++)
        {
            using var read = reopened.Read(offset, 1, long.MaxValue, minOneBatch: true);
            var h = Assert.Single(TestBatches.Headers(read.Records.Span));
            Assert.InRange(offset, h.BaseOffset, h.LastOffset);
        }
        using (var byTime = reopened.FindByTimestamp(10_000 + 205))
        {
            Assert.True(byTime.Found);
            Assert.Equal(10_000 + 210 + 1, byTime.MaxTimestamp);
        }
        reopened.Close();
        Assert.Equal(goodIndex, File.ReadAllBytes(index));
        Assert.Equal(goodTimeIndex, File.ReadAllBytes(timeIndex));
    }

    [Fact]
    public void CleanReopenKeepsEverything()
    {
        using var tmp = new TempDir();
        var dir = tmp.Sub("p");
        var (bytes, _) = WriteLog(dir, 10);
        using var log = PartitionLog.Open(dir, Tp, LogConfig.Default, new LogLoadState(long.MaxValue, 0, true));
        Assert.Equal(bytes, log.ReadBytes(0));
        Assert.Equal(19, log.LogEndOffset); // 1,2,3,1,2,3,1,2,3,1 records
    }
}
