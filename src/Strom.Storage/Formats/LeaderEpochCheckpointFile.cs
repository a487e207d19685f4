using System.Buffers;
using System.Globalization;

namespace Strom.Storage.Formats;

/// <summary>One leader epoch and the first offset written in it (KIP-101).</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);

/// <summary>
/// Kafka's per-partition <c>leader-epoch-checkpoint</c>:
/// <code>
/// 0               version
/// 2               entry count
/// 0 0             epoch startOffset, epochs and offsets increasing
/// 3 1500
/// </code>
/// </summary>
public static class LeaderEpochCheckpointFile
{
    public const int Version = 0;

    public static List<EpochEntry> Parse(ReadOnlySpan<byte> utf8)
    {
        var entries = CheckpointText.ReadEntries(utf8, Version, 2);
        var result = new List<EpochEntry>(entries.Length);
        foreach (var e in entries)
        {
            result.Add(new EpochEntry(CheckpointText.ParseInt(e[0]), CheckpointText.ParseLong(e[1])));
        }
        return result;
    }

    public static void Format(IBufferWriter<byte> writer, IReadOnlyCollection<EpochEntry> entries)
    {
        CheckpointText.WriteLine(writer, Version.ToString(CultureInfo.InvariantCulture));
        CheckpointText.WriteLine(writer, entries.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var e in entries)
        {
            CheckpointText.WriteLine(writer, string.Create(CultureInfo.InvariantCulture, $"{e.Epoch} {e.StartOffset}"));
        }
    }

    public static void Write(string path, IReadOnlyCollection<EpochEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(32 + entries.Count * 24);
        Format(buffer, entries);
        AtomicFile.Write(path, buffer.WrittenSpan);
    }
}
