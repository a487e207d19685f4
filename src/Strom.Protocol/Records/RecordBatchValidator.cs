using Strom.Protocol.Compression;

using Strom.Protocol.Primitives;

namespace Strom.Protocol.Records;

/// <summary>
/// Broker-side checks of one partition's records in a Produce request, before they are
/// stamped and appended as bytes. Follows Kafka's order: lengths against the bytes present,
/// magic, size against max.message.bytes, CRC, then batch fields and records. Uncompressed
/// batches are walked record by record without allocating; compressed ones are decompressed
/// only when <see cref="ValidationOptions.DeepCheckCompressed"/> or
/// <see cref="ValidationOptions.RequireKeys"/> asks, otherwise their header timestamps are checked.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>Validates <paramref name="records"/>; returns <see cref="ErrorCode.None"/> or the error also put in <paramref name="result"/>.</summary>
    public static ErrorCode Validate(ReadOnlySpan<byte> records, in ValidationOptions options, out ValidationResult result)
    {
        result = new ValidationResult
        {
            MaxTimestamp = -1,
            MaxTimestampOffsetDelta = -1,
            ProducerId = -1,
            ProducerEpoch = -1,
            FirstSequence = -1,
            LastSequence = -1,
            Magic = -1,
        };
        if (records.IsEmpty)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "The produce request holds no record batch.");
        }
        var pos = 0;
        while (pos < records.Length)
        {
            var rest = records[pos..];
            if (rest.Length <= RecordBatchHeader.MagicOffset)
            {
                return Fail(ref result, ErrorCode.CorruptMessage, "Record batch is truncated.");
            }
            var magic = (sbyte)rest[RecordBatchHeader.MagicOffset];
            if (result.BatchCount == 0)
            {
                result.Magic = magic;
            }
            if (magic != 2)
            {
                return Fail(ref result, ErrorCode.UnsupportedForMessageFormat, "Only record batch magic 2 is accepted here; convert legacy message sets first.");
            }
            var length = RecordBatchHeader.ReadBatchLength(rest);
            if (length < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
            {
                return Fail(ref result, ErrorCode.CorruptMessage, "Record batch length is smaller than the batch header.");
            }
            if (length > rest.Length - RecordBatchHeader.LogOverhead)
            {
                return Fail(ref result, ErrorCode.CorruptMessage, "Record batch length exceeds the bytes sent.");
            }
            var batch = rest[..(length + RecordBatchHeader.LogOverhead)];
            if (batch.Length > options.MaxMessageBytes)
            {
                return Fail(ref result, ErrorCode.MessageTooLarge, "Record batch is larger than max.message.bytes.");
            }
            if (!RecordBatchHeader.IsCrcValid(batch))
            {
                return Fail(ref result, ErrorCode.CorruptMessage, "Record batch failed its CRC check.");
            }
            if (result.BatchCount == 1 && options.RequireSingleBatch)
            {
                return Fail(ref result, ErrorCode.InvalidRecord, "A produce request must hold exactly one record batch per partition.");
            }
            var code = ValidateBatch(batch, options, ref result);
            if (code != ErrorCode.None)
            {
                return code;
            }
            pos += batch.Length;
        }
        return ErrorCode.None;
    }

    private static ErrorCode ValidateBatch(ReadOnlySpan<byte> batch, in ValidationOptions options, ref ValidationResult result)
    {
        var header = RecordBatchHeader.Parse(batch);
        if (header.RecordCount <= 0)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "Record batch declares no records.");
        }
        if (header.LastOffsetDelta < 0 || (long)header.LastOffsetDelta + 1 != header.RecordCount)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "Record batch's lastOffsetDelta does not match its record count.");
        }
        if (header.IsControl && !options.AllowControlBatches)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "Clients may not write control batches.");
        }
        if (header.IsTransactional && !header.HasProducerId)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "A transactional batch needs a producer id.");
        }
        if (header.HasProducerId && header.BaseSequence < 0 && !header.IsControl)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "A batch with a producer id needs a base sequence.");
        }
        if ((int)header.Compression > (int)CompressionType.Zstd)
        {
            return Fail(ref result, ErrorCode.UnsupportedCompressionType, "Unknown compression type.");
        }

        var positionBase = result.OffsetCount;
        var checkTimestamps = options.TimestampType != TimestampType.LogAppendTime;
        var payload = batch[RecordBatchHeader.Size..];
        if (header.Compression == CompressionType.None)
        {
            var code = WalkRecords(payload, header, options, positionBase, ref result);
            if (code != ErrorCode.None)
            {
                return code;
            }
        }
        else if (options.DeepCheckCompressed || options.RequireKeys)
        {
            using var scratch = new PooledBufferWriter(CompressionCodecs.DecompressionCapacity(payload.Length, options.MaxDecompressedBytes));
            try
            {
                CompressionCodecs.Decompress(header.Compression, payload, scratch, options.MaxDecompressedBytes);
            }
            catch (RecordFormatException e)
            {
                return Fail(ref result, e.ErrorCode, "Compressed records could not be decompressed.");
            }
            var code = WalkRecords(scratch.WrittenSpan, header, options, positionBase, ref result);
            if (code != ErrorCode.None)
            {
                return code;
            }
        }
        else
        {
            if (checkTimestamps
                && (!IsTimestampAllowed(header.BaseTimestamp, options) || !IsTimestampAllowed(header.MaxTimestamp, options)))
            {
                return Fail(ref result, ErrorCode.InvalidTimestamp, "Record timestamp is outside the allowed range.");
            }
            Track(ref result, header.MaxTimestamp, positionBase + header.LastOffsetDelta);
        }

        if (result.BatchCount == 0)
        {
            result.ProducerId = header.ProducerId;
            result.ProducerEpoch = header.ProducerEpoch;
            result.FirstSequence = header.BaseSequence;
            result.IsTransactional = header.IsTransactional;
            result.IsControl = header.IsControl;
            result.Compression = header.Compression;
        }
        result.LastSequence = LastSequence(header.BaseSequence, header.LastOffsetDelta);
        result.BatchCount++;
        result.RecordCount += header.RecordCount;
        result.OffsetCount += header.LastOffsetDelta + 1L;
        return ErrorCode.None;
    }

    private static ErrorCode WalkRecords(ReadOnlySpan<byte> payload, in RecordBatchHeader header, in ValidationOptions options, long positionBase, ref ValidationResult result)
    {
        var checkTimestamps = options.TimestampType != TimestampType.LogAppendTime;
        var p = 0;
        for (var i = 0; i < header.RecordCount; i++)
        {
            var error = RecordCodec.TryParse(payload[p..], out var layout);
            if (error is not null)
            {
                return Fail(ref result, ErrorCode.InvalidRecord, error);
            }
            if (layout.OffsetDelta != i)
            {
                return Fail(ref result, ErrorCode.InvalidRecord, "Record offset deltas must run 0, 1, 2, ... within a batch.");
            }
            if (options.RequireKeys && layout.KeyLength < 0)
            {
                return Fail(ref result, ErrorCode.InvalidRecord, "Compacted topic cannot accept a record without a key.");
            }
            var timestamp = header.BaseTimestamp + layout.TimestampDelta;
            if (checkTimestamps && !IsTimestampAllowed(timestamp, options))
            {
                return Fail(ref result, ErrorCode.InvalidTimestamp, "Record timestamp is outside the allowed range.");
            }
            Track(ref result, timestamp, positionBase + i);
            p += layout.Size;
        }
        if (p != payload.Length)
        {
            return Fail(ref result, ErrorCode.InvalidRecord, "Record batch has bytes after its last record.");
        }
        return ErrorCode.None;
    }

    private static bool IsTimestampAllowed(long timestamp, in ValidationOptions options)
    {
        if (timestamp == -1)
        {
            return true;
        }
        var difference = (Int128)timestamp - options.NowMs;
        return difference >= 0 ? difference <= options.TimestampAfterMaxMs : -difference <= options.TimestampBeforeMaxMs;
    }

    private static void Track(ref ValidationResult result, long timestamp, long position)
    {
        if (timestamp > result.MaxTimestamp)
        {
            result.MaxTimestamp = timestamp;
            result.MaxTimestampOffsetDelta = position;
        }
    }

    /// <summary>Sequences wrap from int.MaxValue to 0 (KIP-98).</summary>
    internal static int LastSequence(int baseSequence, int lastOffsetDelta)
    {
        if (baseSequence < 0)
        {
            return -1;
        }
        return baseSequence > int.MaxValue - lastOffsetDelta
            ? lastOffsetDelta - (int.MaxValue - baseSequence) - 1
            : baseSequence + lastOffsetDelta;
    }

    private static ErrorCode Fail(ref ValidationResult result, ErrorCode code, string message)
    {
        result.Error = code;
        result.ErrorMessage = message;
        return code;
    }
}
