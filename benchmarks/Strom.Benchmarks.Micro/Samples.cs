using System.Buffers;
using Strom.Protocol.Records;

namespace Strom.Benchmarks.Micro;

/// <summary>Deterministic inputs shared by the benchmarks: records of a given size, batches of them.</summary>
internal static class Samples
{
    public static byte[] Payload(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>One uncompressed v2 batch of <paramref name="count"/> keyless records of <paramref name="size"/> bytes.</summary>
    public static byte[] Batch(int count, int size)
    {
        var value = Payload(size);
        using var builder = new RecordBatchBuilder();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            builder.Append(timestamp + i, null, value);
        }
        var output = new ArrayBufferWriter<byte>(builder.UncompressedSize);
        builder.WriteTo(output);
        return output.WrittenSpan.ToArray();
    }
}
