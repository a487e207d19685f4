using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// What the connection handler does with each Produce frame before any handler runs: read the
/// request header, then the ProduceRequest body (8 partitions, one 16 x 1 KiB batch each).
/// v7 is what librdkafka 2.0 sends, v9 is the first flexible version.
/// </summary>
[MemoryDiagnoser]
public class ProduceRequestParseBenchmarks
{
    private ReadOnlySequence<byte> _frame;
    private short _headerVersion;

    [Params((short)7, (short)9)]
    public short Version { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var batch = Samples.Batch(16, 1024);
        var request = new ProduceRequest { Acks = 1, TimeoutMs = 30_000 };
        var topic = new ProduceRequest.TopicProduceData { Name = "bench" };
        for (var p = 0; p < 8; p++)
        {
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = batch });
        }
        request.TopicData.Add(topic);
        _headerVersion = ApiMessages.RequestHeaderVersion(ApiKey.Produce, Version);
        var output = new ArrayBufferWriter<byte>();
        new RequestHeader
        {
            RequestApiKey = (short)ApiKey.Produce,
            RequestApiVersion = Version,
            CorrelationId = 42,
            ClientId = "rdkafka",
        }.Write(output, _headerVersion);
        request.Write(output, Version);
        _frame = new ReadOnlySequence<byte>(output.WrittenMemory);
        if (Parse() != 8)
        {
            throw new InvalidOperationException("the sample request does not round-trip");
        }
    }

    [Benchmark]
    public int Parse()
    {
        var reader = new SequenceReader<byte>(_frame);
        if (!RequestHeader.TryRead(ref reader, _headerVersion, out var header)
            || !ProduceRequest.TryRead(ref reader, Version, out var request))
        {
            throw new InvalidOperationException("incomplete");
        }
        return request.TopicData[0].PartitionData.Count + (header.CorrelationId == 42 ? 0 : 1);
    }

    /// <summary>The frame prefix check alone, for scale.</summary>
    [Benchmark(Baseline = true)]
    public int ReadSizePrefix() => BinaryPrimitives.ReadInt32BigEndian(_frame.FirstSpan);
}
