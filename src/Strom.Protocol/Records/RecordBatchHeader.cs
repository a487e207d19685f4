using System.Buffers.Binary;
using Strom.Protocol.Primitives;

namespace Strom.Protocol.Records;

/// <summary>Compression codec in bits 0-2 of a batch's attributes.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

/// <summary>
/// The fixed 61-byte header of a record batch, magic v2 (protocol guide, "Record Batch"):
/// <code>
///  0 baseOffset int64          8 batchLength int32 (bytes after this field)
/// 12 partitionLeaderEpoch int32 16 magic int8 (2)   17 crc uint32 (CRC-32C of bytes 21..end)
/// 21 attributes int16: bits 0-2 compression, 3 timestampType (1 = LogAppendTime),
///    4 isTransactional, 5 isControlBatch, 6 hasDeleteHorizonMs
/// 23 lastOffsetDelta int32     27 baseTimestamp int64  35 maxTimestamp int64
/// 43 producerId int64          51 producerEpoch int16  53 baseSequence int32
/// 57 recordCount int32         61 records...
/// </code>
/// Batches pass through the broker as bytes; this type reads and stamps the header in place.
/// </summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    sbyte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    public const int Size = 61;
    /// <summary>Bytes before batchLength's count starts: baseOffset + batchLength.</summary>
    public const int LogOverhead = 12;
    /// <summary>Smallest possible header of any magic: offset, length, then enough to read magic.</summary>
    public const int MagicOffset = 16;
    public const int BaseOffsetOffset = 0;
    public const int BatchLengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordCountOffset = 57;

    public const short CompressionMask = 0x07;
    public const short TimestampTypeFlag = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
    public const short DeleteHorizonFlag = 0x40;

    /// <summary>Total bytes of the batch on the wire / on disk.</summary>
    public int TotalSize => BatchLength + LogOverhead;
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public long NextOffset => BaseOffset + LastOffsetDelta + 1;
    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);
    public bool IsLogAppendTime => (Attributes & TimestampTypeFlag) != 0;
    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;
    public bool IsControl => (Attributes & ControlFlag) != 0;
    public bool HasProducerId => ProducerId >= 0;

    /// <summary>Parses the header; the span must hold at least <see cref="Size"/> bytes.</summary>
    public static RecordBatchHeader Parse(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadInt64BigEndian(s),
        BinaryPrimitives.ReadInt32BigEndian(s[BatchLengthOffset..]),
        BinaryPrimitives.ReadInt32BigEndian(s[PartitionLeaderEpochOffset..]),
        (sbyte)s[MagicOffset],
        BinaryPrimitives.ReadUInt32BigEndian(s[CrcOffset..]),
        BinaryPrimitives.ReadInt16BigEndian(s[AttributesOffset..]),
        BinaryPrimitives.ReadInt32BigEndian(s[LastOffsetDeltaOffset..]),
        BinaryPrimitives.ReadInt64BigEndian(s[BaseTimestampOffset..]),
        BinaryPrimitives.ReadInt64BigEndian(s[MaxTimestampOffset..]),
        BinaryPrimitives.ReadInt64BigEndian(s[ProducerIdOffset..]),
        BinaryPrimitives.ReadInt16BigEndian(s[ProducerEpochOffset..]),
        BinaryPrimitives.ReadInt32BigEndian(s[BaseSequenceOffset..]),
        BinaryPrimitives.ReadInt32BigEndian(s[RecordCountOffset..]));

    /// <summary>Writes the header (CRC as given; see <see cref="ComputeCrc"/>).</summary>
    public void Format(Span<byte> s)
    {
        BinaryPrimitives.WriteInt64BigEndian(s, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(s[BatchLengthOffset..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(s[PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        s[MagicOffset] = (byte)Magic;
        BinaryPrimitives.WriteUInt32BigEndian(s[CrcOffset..], Crc);
        BinaryPrimitives.WriteInt16BigEndian(s[AttributesOffset..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(s[LastOffsetDeltaOffset..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(s[BaseTimestampOffset..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[MaxTimestampOffset..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(s[ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(s[BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordCountOffset..], RecordCount);
    }

    /// <summary>CRC-32C over attributes..end of a whole batch (the span is the full batch).</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>True when the stored CRC matches the batch bytes.</summary>
    public static bool IsCrcValid(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]) == ComputeCrc(batch);

    /// <summary>Stamps base offset in place (outside the CRC, so the CRC stays valid).</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);

    /// <summary>Stamps the partition leader epoch in place (outside the CRC).</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);

    /// <summary>
    /// For LogAppendTime: sets the timestamp-type bit and max timestamp, then recomputes the
    /// CRC (both are inside the CRC'd range).
    /// </summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], (short)(attributes | TimestampTypeFlag));
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
    }

    public static long ReadBaseOffset(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch);

    public static int ReadBatchLength(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]);
}
