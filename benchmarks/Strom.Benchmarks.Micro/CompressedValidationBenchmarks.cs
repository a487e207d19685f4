using BenchmarkDotNet.Attributes;
using Strom.Protocol;
using Strom.Protocol.Records;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// What Produce pays per compressed batch: the header-and-CRC check alone (the reference) against
/// decompressing and walking every record inside (what the broker does, as Kafka's log validator
/// does). 100 JSON-like records of 1 KiB per batch.
/// </summary>
[MemoryDiagnoser]
public class CompressedValidationBenchmarks
{
    private byte[] _batch = [];
    private ValidationOptions _shallow;
    private ValidationOptions _deep;

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = Samples.CompressedBatch(100, 1024, Codec);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _shallow = new ValidationOptions { NowMs = now };
        _deep = new ValidationOptions { NowMs = now, DeepCheckCompressed = true };
    }

    [Benchmark(Baseline = true)]
    public ErrorCode HeaderAndCrc() => RecordBatchValidator.Validate(_batch, _shallow, out _);

    [Benchmark]
    public ErrorCode DecompressAndWalkRecords() => RecordBatchValidator.Validate(_batch, _deep, out _);
}
