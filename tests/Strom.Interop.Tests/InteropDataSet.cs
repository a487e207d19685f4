using System.Text;

namespace Strom.Interop.Tests;

/// <summary>The records every interop client writes and expects back (tests/clients/README.md).</summary>
public static class InteropDataSet
{
    public const int Partitions = 3;
    public const int PerCodec = 30;
    public const long BaseTimestamp = 1700000000000;

    public static readonly string[] Codecs = ["none", "gzip", "snappy", "lz4", "zstd"];

    public sealed record Record(int Partition, string Key, string Value, (string Key, string Value)[] Headers, long Timestamp)
    {
        public byte[] KeyBytes => Encoding.UTF8.GetBytes(Key);

        public byte[] ValueBytes => Encoding.UTF8.GetBytes(Value);
    }

    public static Record Create(int codecIndex, int i)
    {
        var codec = Codecs[codecIndex];
        return new Record(
            i % Partitions,
            $"k-{codec}-{i}",
            $"v-{codec}-{i}-" + string.Concat(Enumerable.Repeat("abcdefghij", i % 7 + 1)),
            [("codec", codec), ("i", i.ToString())],
            BaseTimestamp + codecIndex * 100000L + i * 1000L);
    }

    public static IEnumerable<Record> ForCodec(int codecIndex) => Enumerable.Range(0, PerCodec).Select(i => Create(codecIndex, i));

    /// <summary>Per partition, the log in offset order: codec by codec, i ascending.</summary>
    public static List<Record> ExpectedAt(int partition) =>
        [.. Enumerable.Range(0, Codecs.Length).SelectMany(ForCodec).Where(r => r.Partition == partition)];
}
