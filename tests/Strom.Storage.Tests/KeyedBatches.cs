using System.Text;
using Strom.Protocol.Records;
using Record = Strom.Protocol.Records.Record;

namespace Strom.Storage.Tests;

/// <summary>Keyed and idempotent batches for producer-state and compaction tests.</summary>
internal static class KeyedBatches
{
    /// <summary>A batch of (key, value) records; a null value is a tombstone.</summary>
    public static byte[] Build(IEnumerable<(string Key, string? Value)> records, long timestamp = 1_000,
        CompressionType compression = CompressionType.None, long producerId = -1, short epoch = -1, int baseSequence = -1)
    {
        using var builder = new RecordBatchBuilder(compression)
        {
            ProducerId = producerId,
            ProducerEpoch = epoch,
            BaseSequence = baseSequence,
        };
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }
        return builder.ToArray();
    }

    /// <summary>An idempotent batch of <paramref name="count"/> records starting at <paramref name="baseSequence"/>.</summary>
    public static byte[] Idempotent(long producerId, short epoch, int baseSequence, int count = 1, long timestamp = 1_000) =>
        Build(Enumerable.Range(0, count).Select(i => ($"k{baseSequence + i}", (string?)$"v{baseSequence + i}")), timestamp,
            producerId: producerId, epoch: epoch, baseSequence: baseSequence);

    /// <summary>Every record from log start to log end, decoded.</summary>
    public static List<Record> ReadRecords(this PartitionLog log)
    {
        var result = new List<Record>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 1 << 20, long.MaxValue, minOneBatch: true);
            Assert.Equal(Strom.Protocol.ErrorCode.None, read.Error);
            var headers = TestBatches.Headers(read.Records.Span);
            if (headers.Count == 0)
            {
                break;
            }
            var bytes = read.Records.ToArray();
            result.AddRange(RecordBatchReader.ReadAllRecords(bytes).Where(r => r.Offset >= offset));
            offset = headers[^1].NextOffset;
        }
        return result;
    }

    public static string KeyOf(Record r) => Encoding.UTF8.GetString(r.Key!.Value.Span);

    public static string? ValueOf(Record r) => r.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null;
}
