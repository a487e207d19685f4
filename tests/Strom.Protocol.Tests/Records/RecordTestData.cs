using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Strom.Protocol.Records;

namespace Strom.Protocol.Tests.Records;

internal static class RecordTestData
{
    public static string Directory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "TestData");

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(Directory(), name));

    /// <summary>Rewrites a batch's CRC after a test edits bytes inside the CRC'd range.</summary>
    public static void FixCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(batch));

    public static byte[] Build(CompressionType compression, int count, long baseTimestamp = 1_700_000_000_000, Action<RecordBatchBuilder>? configure = null)
    {
        using var builder = new RecordBatchBuilder(compression);
        configure?.Invoke(builder);
        for (var i = 0; i < count; i++)
        {
            builder.Append(baseTimestamp + i, Key(i), Value(i), Headers(i));
        }
        return builder.ToArray();
    }

    public static byte[]? Key(int i) => i % 3 == 1 ? null : System.Text.Encoding.UTF8.GetBytes($"key-{i}");

    public static byte[]? Value(int i) => i % 5 == 4 ? null : System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"value {i} ", 10)));

    public static RecordHeader[] Headers(int i) => i % 2 == 0
        ? [new("trace", [(byte)i]), new("null", null), new("ü", [])]
        : [];
}
