using Strom.Protocol;

namespace Strom.Storage.Tests;

public class ConcurrencyTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadersSeeConsistentWholeBatchesWhileOneWriterAppends(bool withRetention)
    {
        using var tmp = new TempDir();
        var config = LogConfig.Default with
        {
            SegmentBytes = 8 * 1024,
            IndexIntervalBytes = 256,
            RetentionBytes = withRetention ? 32 * 1024 : -1,
            FileDeleteDelayMs = 0,
        };
        using var log = PartitionLog.Open(tmp.Sub("orders-0"), LogTestExtensions.Tp, config);
        const int Batches = 3000;
        var failures = new List<string>();
        var readsDone = 0;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Batches; i++)
            {
                log.AppendBatch(i % 3 + 1, baseTimestamp: 1_000 + i, valueSize: 20 + i % 50);
                if (withRetention && i % 100 == 0)
                {
                    log.ApplyRetention(0);
                }
            }
        });
        var readers = Enumerable.Range(0, 3).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            while (!writer.IsCompleted)
            {
                var start = log.LogStartOffset;
                var end = log.LogEndOffset;
                if (end == start)
                {
                    continue;
                }
                var offset = start + random.NextInt64(end - start);
                using var read = log.Read(offset, random.Next(1, 4096), long.MaxValue, minOneBatch: true);
                try
                {
                    if (read.Error == ErrorCode.OffsetOutOfRange)
                    {
                        Assert.True(withRetention && offset < log.LogStartOffset, $"spurious out of range at {offset}");
                        continue;
                    }
                    var headers = TestBatches.Headers(read.Records.Span);
                    Assert.NotEmpty(headers);
                    Assert.InRange(offset, headers[0].BaseOffset, headers[0].LastOffset);
                    for (var i = 1; i < headers.Count; i++)
                    {
                        Assert.Equal(headers[i - 1].NextOffset, headers[i].BaseOffset);
                    }
                    Interlocked.Increment(ref readsDone);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                    return;
                }
            }
        })).ToArray();
        Task.WaitAll([writer, .. readers]);

        Assert.Empty(failures);
        Assert.True(readsDone > 0);
        Assert.Equal(6000, log.LogEndOffset); // 1+2+3 records per three batches
        var all = log.ReadAll(log.LogStartOffset);
        Assert.Equal(log.LogEndOffset, all[^1].NextOffset);
        Assert.True(log.SegmentCount > 1);
    }
}
