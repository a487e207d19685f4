using System.Buffers;

namespace Strom.Storage;

/// <summary>
/// The batch answering a ListOffsets timestamp query: its offset range and bytes, so the caller
/// can refine to the exact record (uncompressed or after decompression). Dispose once.
/// </summary>
public readonly struct TimestampLookup : IDisposable
{
    private readonly byte[]? _buffer;

    internal TimestampLookup(long baseOffset, long lastOffset, long maxTimestamp, byte[] buffer, int length)
    {
        Found = true;
        BaseOffset = baseOffset;
        LastOffset = lastOffset;
        MaxTimestamp = maxTimestamp;
        _buffer = buffer;
        Batch = buffer.AsMemory(0, length);
    }

    public static TimestampLookup NotFound => default;

    public bool Found { get; }

    public long BaseOffset { get; }

    public long LastOffset { get; }

    public long MaxTimestamp { get; }

    /// <summary>The whole batch as stored.</summary>
    public ReadOnlyMemory<byte> Batch { get; }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
