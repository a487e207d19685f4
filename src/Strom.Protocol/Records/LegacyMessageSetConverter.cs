using System.Buffers;

namespace Strom.Protocol.Records;

/// <summary>
/// Up-converts a produced magic 0/1 message set (Produce v0-2) into one v2 batch, as Kafka
/// does when the log's format is v2: every message (inner messages of compressed wrappers
/// included) becomes a record at offset deltas 0..n-1, keeping its key, value and
/// timestamp (magic 0 has none: -1). CRCs are checked.
/// </summary>
public static class LegacyMessageSetConverter
{
    /// <summary>
    /// Writes the v2 batch to <paramref name="output"/>; returns its size. The batch uses
    /// <paramref name="compression"/>, or when null the codec the producer used.
    /// Throws <see cref="RecordFormatException"/> on malformed input.
    /// </summary>
    public static int ToRecordBatchV2(
        ReadOnlyMemory<byte> messageSet, IBufferWriter<byte> output, CompressionType? compression = null,
        int maxDecompressedBytes = RecordBatchReader.DefaultMaxDecompressedBytes)
    {
        var reader = new RecordBatchReader(messageSet, maxDecompressedBytes, verifyCrc: true);
        using var builder = new RecordBatchBuilder();
        CompressionType? source = null;
        while (reader.TryReadNext(out var batch))
        {
            if (batch.Magic >= 2)
            {
                RecordThrow.Invalid("A legacy message set must not contain v2 batches.");
            }
            source ??= batch.Compression;
            foreach (var record in batch.Records)
            {
                builder.Append(record.Timestamp, record.Key, record.Value);
            }
        }
        if (reader.Position != messageSet.Length)
        {
            RecordThrow.Corrupt("The message set ends with a partial message.");
        }
        if (builder.RecordCount == 0)
        {
            RecordThrow.Invalid("The message set holds no messages.");
        }
        builder.Compression = compression ?? source ?? CompressionType.None;
        return builder.WriteTo(output);
    }
}
