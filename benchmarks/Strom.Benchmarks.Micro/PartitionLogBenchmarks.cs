using BenchmarkDotNet.Attributes;
using Strom.Storage;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// The storage side of Produce and Fetch: append one 16 x 1 KiB batch (stamping offsets in
/// place, writing to the active segment's page cache, no fsync: the default flush policy), and
/// read whole batches from a 16 MiB log at rotating offsets. The append log starts afresh every
/// 128 MiB (a file delete, amortized over 8192 appends) so the benchmark does not fill the disk.
/// </summary>
[MemoryDiagnoser]
public class PartitionLogBenchmarks
{
    private const int ReadLogBatches = 1024;
    private const int AppendsPerReset = 8192;
    private string _directory = "";
    private PartitionLog _appendLog = null!;
    private PartitionLog _readLog = null!;
    private byte[] _batch = [];
    private long[] _readOffsets = [];
    private int _next;
    private int _appends;

    [Params(1 << 20)]
    public int FetchMaxBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "strom-micro-" + Guid.NewGuid().ToString("N"));
        var config = new LogConfig { SegmentBytes = 256 << 20, FileDeleteDelayMs = 0 };
        _batch = Samples.Batch(16, 1024);
        _appendLog = PartitionLog.Open(Path.Combine(_directory, "append-0"), new TopicPartition("append", 0), config);
        _readLog = PartitionLog.Open(Path.Combine(_directory, "read-0"), new TopicPartition("read", 0), config);
        var batch = (byte[])_batch.Clone();
        for (var i = 0; i < ReadLogBatches; i++)
        {
            _readLog.Append(batch, 0, null);
        }
        _readLog.HighWatermark = _readLog.LogEndOffset;
        var rnd = new Random(3);
        _readOffsets = Enumerable.Range(0, 4096).Select(_ => (long)rnd.Next(0, (int)_readLog.LogEndOffset)).ToArray();
        if (Read() < _batch.Length)
        {
            throw new InvalidOperationException("the read log returns no whole batch");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _appendLog.Dispose();
        _readLog.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public long Append()
    {
        if (++_appends % AppendsPerReset == 0)
        {
            _appendLog.TruncateFullyAndStartAt(_appendLog.LogEndOffset);
        }
        return _appendLog.Append(_batch, 0, null).LastOffset;
    }

    [Benchmark]
    public int Read()
    {
        var offset = _readOffsets[_next++ & (_readOffsets.Length - 1)];
        using var result = _readLog.Read(offset, FetchMaxBytes, _readLog.HighWatermark, minOneBatch: true);
        if (result.Error != Strom.Protocol.ErrorCode.None)
        {
            throw new InvalidOperationException($"read at {offset}: {result.Error}");
        }
        return result.Records.Length;
    }
}
