namespace Strom.Storage.Cleaner;

/// <summary>What one cleaning pass over a log did.</summary>
/// <param name="Cleaned">False when nothing was due (or the pass was abandoned); the other fields are then zero.</param>
/// <param name="FirstDirtyOffset">Offset where the next pass's dirty section starts (cleaner-offset-checkpoint).</param>
/// <param name="BytesRead">Bytes of the segments rewritten.</param>
/// <param name="BytesWritten">Bytes of the segments that replaced them.</param>
/// <param name="RecordsRemoved">Superseded records and expired tombstones dropped.</param>
public readonly record struct CleanResult(bool Cleaned, long FirstDirtyOffset, long BytesRead, long BytesWritten, long RecordsRemoved)
{
    public static CleanResult Nothing(long firstDirtyOffset) => new(false, firstDirtyOffset, 0, 0, 0);
}
