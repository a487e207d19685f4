using BenchmarkDotNet.Attributes;
using Strom.Protocol.Primitives;

namespace Strom.Benchmarks.Micro;

/// <summary>CRC-32C over a batch-sized buffer: every produced batch is checked once on the way in.</summary>
[MemoryDiagnoser]
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [Params(1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => _data = Samples.Payload(Size);

    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
