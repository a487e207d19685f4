using BenchmarkDotNet.Attributes;
using Strom.Client;
using Strom.Client.Producer;
using Strom.Protocol.Records;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// The producer's batch path for one batch: append every record (with two headers), close
/// (frame, CRC), then acknowledge it (one delivery handler call per record). Two record counts
/// at one record size: if anything were allocated per record, Allocated would grow with the
/// count beyond the batch's own bytes.
/// </summary>
[MemoryDiagnoser]
public class ProducerBatchBenchmarks
{
    private static readonly TopicPartition Partition = new("bench", 0);
    private static readonly DeliveryHandler OnDelivery = (_, _) => { };
    private readonly RecordHeader[] _headers = [new("trace", [1, 2, 3, 4]), new("source", [5, 6])];
    private byte[] _key = [];
    private byte[] _value = [];

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(16, 1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = new byte[16];
        _value = new byte[RecordSize];
        Random.Shared.NextBytes(_value);
        Build(); // warm the pools
    }

    [Benchmark]
    public int Build()
    {
        var batch = new ProducerBatch(Partition, CompressionType.None, DateTime.UtcNow, 120_000);
        for (var i = 0; i < Records; i++)
        {
            batch.Append(1_700_000_000_000 + i, _key, _value, _headers, OnDelivery);
        }
        batch.Close();
        batch.Succeed(0, -1);
        return batch.SizeInBytes;
    }
}
