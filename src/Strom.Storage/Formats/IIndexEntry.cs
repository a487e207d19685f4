namespace Strom.Storage.Formats;

/// <summary>A fixed-size entry of a sparse segment index, ordered by <see cref="Key"/>.</summary>
internal interface IIndexEntry<TSelf> where TSelf : struct, IIndexEntry<TSelf>
{
    static abstract int EntrySize { get; }
    static abstract TSelf Parse(ReadOnlySpan<byte> source);
    void Format(Span<byte> destination);

    /// <summary>The search key: relative offset for the offset index, timestamp for the time index.</summary>
    long Key { get; }

    /// <summary>Offset relative to the segment's base offset.</summary>
    int RelativeOffset { get; }

    /// <summary>True when <paramref name="next"/> may follow <paramref name="previous"/> in a valid index.</summary>
    static abstract bool IsValidSuccessor(TSelf previous, TSelf next);
}
