using BenchmarkDotNet.Attributes;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// The consumer's fetch path for one partition's response (1 MiB of batches of 16 KiB, each
/// record with two headers): walk and CRC-check the batches, check every record, then read
/// each record's offset, key and value as the consumer's buffer does. Reported per record.
/// </summary>
[MemoryDiagnoser]
public class FetchParseBenchmarks
{
    private FetchResponse.PartitionData _data = new();
    private int _records;

    [Params(100, 1024)]
    public int RecordSize { get; set; }

    [Params(CompressionType.None, CompressionType.Lz4)]
    public CompressionType Compression { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var value = new byte[RecordSize];
        Random.Shared.NextBytes(value.AsSpan(0, RecordSize / 2)); // half random, half zeros: compressible
        RecordHeader[] headers = [new("trace", [1, 2, 3, 4]), new("source", [5, 6])];
        var output = new MemoryStream();
        using var builder = new RecordBatchBuilder(Compression);
        long offset = 0;
        while (output.Length < 1024 * 1024)
        {
            builder.Reset();
            builder.BaseOffset = offset;
            while (builder.UncompressedSize < 16 * 1024)
            {
                builder.Append(1_700_000_000_000 + offset, (ReadOnlyMemory<byte>?)new byte[16], value, headers);
                offset++;
            }
            output.Write(builder.ToArray());
        }
        _records = (int)offset;
        _data = new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = offset, Records = output.ToArray() };
    }

    /// <summary>Records per operation, to read Allocated per record as Allocated / this.</summary>
    public int RecordsPerOperation => _records;

    [Benchmark]
    public long DecodeAndRead()
    {
        var fetched = FetchDecoder.Decode(_data, 0, IsolationLevel.ReadUncommitted, checkCrcs: true);
        long sum = 0;
        while (fetched.TryRead(out var record, out _))
        {
            sum += record.Offset + record.Key!.Value.Length + record.Value!.Value.Length + record.HeaderCount;
        }
        return sum;
    }
}
