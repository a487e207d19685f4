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

    /// <summary>A compressible value: JSON-like text of about <paramref name="size"/> bytes, varying by <paramref name="seed"/>.</summary>
    public static byte[] Text(int size, int seed)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder(size + 64);
        while (text.Length < size)
        {
            text.Append("{\"id\":").Append(random.Next(1_000_000)).Append(",\"name\":\"customer-").Append(random.Next(1000))
                .Append("\",\"amount\":").Append(random.Next(100_000) / 100.0).Append(",\"status\":\"").Append(random.Next(3) switch { 0 => "NEW", 1 => "PAID", _ => "SHIPPED" })
                .Append("\"}");
        }
        return System.Text.Encoding.UTF8.GetBytes(text.ToString(0, size));
    }

    /// <summary>One v2 batch of <paramref name="count"/> keyless text records of <paramref name="size"/> bytes, compressed with <paramref name="compression"/>.</summary>
    public static byte[] CompressedBatch(int count, int size, CompressionType compression)
    {
        using var builder = new RecordBatchBuilder(compression);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            builder.Append(timestamp + i, null, Text(size, i));
        }
        var output = new ArrayBufferWriter<byte>(builder.UncompressedSize);
        builder.WriteTo(output);
        return output.WrittenSpan.ToArray();
    }
}
