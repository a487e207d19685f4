using System.Buffers;
using BenchmarkDotNet.Attributes;
using Strom.Protocol;
using Strom.Protocol.Records;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// Record batch v2 on the client side (build) and both sides of the broker: validation of a
/// produced batch (what Produce does per partition) and full decoding (what a consumer does).
/// </summary>
[MemoryDiagnoser]
public class RecordBatchBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private RecordBatchBuilder _builder = new();
    private byte[] _value = [];
    private byte[] _batch = [];
    private ValidationOptions _options;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(100)]
    public int RecordCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _value = Samples.Payload(RecordSize);
        _batch = Samples.Batch(RecordCount, RecordSize);
        _builder = new RecordBatchBuilder();
        _options = new ValidationOptions { NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
    }

    [GlobalCleanup]
    public void Cleanup() => _builder.Dispose();

    [Benchmark]
    public int Build()
    {
        _builder.Reset();
        for (var i = 0; i < RecordCount; i++)
        {
            _builder.Append(1_700_000_000_000 + i, null, _value);
        }
        _output.ResetWrittenCount();
        return _builder.WriteTo(_output);
    }

    [Benchmark]
    public ErrorCode Validate() => RecordBatchValidator.Validate(_batch, _options, out _);

    [Benchmark]
    public long Read()
    {
        var reader = new RecordBatchReader(_batch);
        long sum = 0;
        while (reader.TryReadNext(out var batch))
        {
            foreach (var record in batch.Records)
            {
                sum += record.Offset + (record.Value?.Length ?? 0);
            }
        }
        return sum;
    }
}
