using System.Buffers;
using System.Globalization;

namespace Strom.Storage.Formats;

/// <summary>
/// Kafka's per-log-dir offset checkpoint (recovery-point-offset-checkpoint,
/// log-start-offset-checkpoint):
/// <code>
/// 0                       version
/// 2                       entry count
/// orders 0 1200           topic partition offset
/// orders 1 977
/// </code>
/// Replaced atomically; a missing file means no entries.
/// </summary>
public static class OffsetCheckpointFile
{
    public const int Version = 0;

    public static Dictionary<TopicPartition, long> Parse(ReadOnlySpan<byte> utf8)
    {
        var entries = CheckpointText.ReadEntries(utf8, Version, 3);
        var result = new Dictionary<TopicPartition, long>(entries.Length);
        foreach (var e in entries)
        {
            var partition = CheckpointText.ParseInt(e[1]);
            result[new TopicPartition(e[0], partition)] = CheckpointText.ParseLong(e[2]);
        }
        return result;
    }

    public static void Format(IBufferWriter<byte> writer, IReadOnlyCollection<KeyValuePair<TopicPartition, long>> entries)
    {
        CheckpointText.WriteLine(writer, Version.ToString(CultureInfo.InvariantCulture));
        CheckpointText.WriteLine(writer, entries.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (tp, offset) in entries)
        {
            CheckpointText.WriteLine(writer, string.Create(CultureInfo.InvariantCulture, $"{tp.Topic} {tp.Partition} {offset}"));
        }
    }

    public static Dictionary<TopicPartition, long> Read(string path) =>
        File.Exists(path) ? Parse(File.ReadAllBytes(path)) : [];

    public static void Write(string path, IReadOnlyCollection<KeyValuePair<TopicPartition, long>> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + entries.Count * 48);
        Format(buffer, entries);
        AtomicFile.Write(path, buffer.WrittenSpan);
    }
}
