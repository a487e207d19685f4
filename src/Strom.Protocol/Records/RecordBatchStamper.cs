namespace Strom.Protocol.Records;

/// <summary>
/// Assigns offsets to validated v2 batches in place, as the leader does before appending:
/// base offset and partition leader epoch sit outside the CRC, so only LogAppendTime (which
/// rewrites the timestamp type bit and max timestamp) recomputes it. Records keep their
/// offset deltas; each batch takes the offsets after the previous one.
/// </summary>
public static class RecordBatchStamper
{
    /// <summary>Stamps every batch in <paramref name="records"/>; returns the last offset assigned.</summary>
    public static long AssignOffsets(Span<byte> records, long firstOffset, int partitionLeaderEpoch, long? logAppendTime)
    {
        var next = firstOffset;
        var pos = 0;
        while (pos < records.Length)
        {
            var rest = records[pos..];
            if (rest.Length < RecordBatchHeader.Size || rest[RecordBatchHeader.MagicOffset] != 2)
            {
                RecordThrow.Corrupt("Only whole v2 record batches can be stamped.");
            }
            var size = RecordBatchHeader.ReadBatchLength(rest) + RecordBatchHeader.LogOverhead;
            if (size < RecordBatchHeader.Size || size > rest.Length)
            {
                RecordThrow.Corrupt("Record batch length exceeds the bytes present.");
            }
            var batch = rest[..size];
            RecordBatchHeader.SetBaseOffset(batch, next);
            RecordBatchHeader.SetPartitionLeaderEpoch(batch, partitionLeaderEpoch);
            if (logAppendTime is { } time)
            {
                RecordBatchHeader.SetLogAppendTime(batch, time);
            }
            next += RecordBatchHeader.Parse(batch).LastOffsetDelta + 1L;
            pos += size;
        }
        return next - 1;
    }
}
