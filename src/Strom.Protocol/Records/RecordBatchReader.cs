using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Strom.Protocol.Records;

/// <summary>
/// Walks the batches in a records blob as a Fetch response or a log segment holds them:
/// v2 batches and magic 0/1 messages may be mixed, and the blob may end with a partial batch
/// (the broker cuts at the fetch size), which is skipped. All three magics keep offset at 0,
/// length at 8 and magic at 16, so the magic byte decides how to read each entry.
/// </summary>
public sealed class RecordBatchReader(ReadOnlyMemory<byte> records, int maxDecompressedBytes = RecordBatchReader.DefaultMaxDecompressedBytes, bool verifyCrc = true)
{
    /// <summary>Default cap on the decompressed size of one batch (default: 64 MiB).</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    private readonly ReadOnlyMemory<byte> _data = records;
    private int _position;

    /// <summary>Bytes consumed so far; less than the input length at the end when a partial batch was skipped.</summary>
    public int Position => _position;

    /// <summary>Reads the next complete batch; false at the end or at a trailing partial batch.</summary>
    public bool TryReadNext([NotNullWhen(true)] out RecordBatchView? batch)
    {
        batch = null;
        var rest = _data.Span[_position..];
        if (rest.Length <= RecordBatchHeader.MagicOffset)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchHeader.BatchLengthOffset..]);
        var magic = rest[RecordBatchHeader.MagicOffset];
        if (magic == 2)
        {
            if (length < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
            {
                RecordThrow.Corrupt($"Record batch length {length} is smaller than the batch header.");
            }
            if (length > rest.Length - RecordBatchHeader.LogOverhead)
            {
                return false;
            }
            var bytes = _data.Slice(_position, length + RecordBatchHeader.LogOverhead);
            if (verifyCrc && !RecordBatchHeader.IsCrcValid(bytes.Span))
            {
                RecordThrow.Corrupt($"Record batch at offset {RecordBatchHeader.ReadBaseOffset(bytes.Span)} failed its CRC check.");
            }
            batch = new RecordBatchView(bytes, maxDecompressedBytes);
            _position += bytes.Length;
            return true;
        }
        if (magic > 2)
        {
            RecordThrow.Corrupt($"Unknown record batch magic {magic}.");
        }
        var n = LegacyMessage.TryParse(rest, out var message, out var error);
        if (n == 0)
        {
            return false;
        }
        if (n < 0)
        {
            RecordThrow.Corrupt(error!);
        }
        var entry = _data.Slice(_position, n);
        if (verifyCrc && !LegacyMessage.IsCrcValid(entry.Span))
        {
            RecordThrow.Corrupt($"Message at offset {message.Offset} failed its CRC check.");
        }
        batch = RecordBatchView.FromLegacy(entry, message, maxDecompressedBytes, verifyCrc);
        _position += n;
        return true;
    }

    /// <summary>Every record of every complete batch in <paramref name="records"/>, control records included.</summary>
    public static List<Record> ReadAllRecords(ReadOnlyMemory<byte> records, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        var reader = new RecordBatchReader(records, maxDecompressedBytes);
        var all = new List<Record>();
        while (reader.TryReadNext(out var batch))
        {
            all.AddRange(batch.Records);
        }
        return all;
    }
}
