using System.Buffers;
using Strom.Protocol;

namespace Strom.Storage;

/// <summary>
/// Whole record batches read from the log, in a pooled buffer. Write <see cref="Records"/> to the
/// network, then <see cref="Dispose"/> exactly once (the buffer goes back to the pool; do not
/// copy the struct and dispose both copies).
/// </summary>
public readonly struct ReadResult : IDisposable
{
    private readonly byte[]? _buffer;

    internal ReadResult(ErrorCode error, byte[]? buffer, int length, long logStartOffset, long logEndOffset, long highWatermark)
    {
        Error = error;
        _buffer = buffer;
        Records = buffer is null ? ReadOnlyMemory<byte>.Empty : buffer.AsMemory(0, length);
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
        HighWatermark = highWatermark;
    }

    /// <summary><see cref="ErrorCode.None"/>, or <see cref="ErrorCode.OffsetOutOfRange"/> below log start / above log end.</summary>
    public ErrorCode Error { get; }

    /// <summary>Zero or more whole batches; the first contains the requested offset.</summary>
    public ReadOnlyMemory<byte> Records { get; }

    public long LogStartOffset { get; }

    public long LogEndOffset { get; }

    public long HighWatermark { get; }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
