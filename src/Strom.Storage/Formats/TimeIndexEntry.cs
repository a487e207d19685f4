using System.Buffers.Binary;

namespace Strom.Storage.Formats;

/// <summary>
/// One entry of a segment's <c>.timeindex</c> file (Kafka's TimeIndex layout):
/// <code>0 timestamp int64 (largest timestamp so far in the segment)   8 relativeOffset int32 (last offset of the batch that set it)</code>
/// Big-endian, 12 bytes; written alongside offset index entries, only when the timestamp grows,
/// so every batch before the entry's offset has a max timestamp at or below the entry's.
/// </summary>
public readonly record struct TimeIndexEntry(long Timestamp, int RelativeOffset) : IIndexEntry<TimeIndexEntry>
{
    public const int Size = 12;

    public static int EntrySize => Size;

    public long Key => Timestamp;

    public static TimeIndexEntry Parse(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadInt64BigEndian(source),
        BinaryPrimitives.ReadInt32BigEndian(source[8..]));

    public void Format(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], RelativeOffset);
    }

    public static bool IsValidSuccessor(TimeIndexEntry previous, TimeIndexEntry next) =>
        next.Timestamp > previous.Timestamp && next.RelativeOffset >= previous.RelativeOffset;
}
