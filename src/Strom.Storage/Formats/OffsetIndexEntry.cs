using System.Buffers.Binary;

namespace Strom.Storage.Formats;

/// <summary>
/// One entry of a segment's <c>.index</c> file (Kafka's OffsetIndex layout):
/// <code>0 relativeOffset int32 (batch last offset - segment base offset)   4 position int32 (byte position of that batch in .log)</code>
/// Big-endian, 8 bytes, one entry per index.interval.bytes of log, strictly increasing in both fields.
/// A lookup finds the last entry at or below an offset and scans batch headers forward from its position.
/// </summary>
public readonly record struct OffsetIndexEntry(int RelativeOffset, int Position) : IIndexEntry<OffsetIndexEntry>
{
    public const int Size = 8;

    public static int EntrySize => Size;

    public long Key => RelativeOffset;

    public static OffsetIndexEntry Parse(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadInt32BigEndian(source),
        BinaryPrimitives.ReadInt32BigEndian(source[4..]));

    public void Format(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], Position);
    }

    public static bool IsValidSuccessor(OffsetIndexEntry previous, OffsetIndexEntry next) =>
        next.RelativeOffset > previous.RelativeOffset && next.Position > previous.Position;
}
