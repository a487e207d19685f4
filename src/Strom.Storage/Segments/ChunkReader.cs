using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Strom.Storage.Segments;

/// <summary>
/// Sequential reads over a segment file in large pooled chunks, so recovery validates batches
/// without a read call per batch. Requests never exceed the file length the caller checked.
/// </summary>
internal struct ChunkReader(SafeFileHandle handle, long fileLength) : IDisposable
{
    private const int ChunkSize = 1 << 20;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private long _bufferStart;
    private int _bufferLength;

    /// <summary>Bytes [position, position + count) of the file; count must fit in the file.</summary>
    public ReadOnlySpan<byte> Get(long position, int count)
    {
        if (position < _bufferStart || position + count > _bufferStart + _bufferLength)
        {
            if (count > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(count);
            }
            var want = (int)Math.Min(_buffer.Length, fileLength - position);
            _bufferStart = position;
            _bufferLength = SegmentFile.ReadFully(handle, _buffer.AsSpan(0, want), position);
            if (_bufferLength < count)
            {
                return [];
            }
        }
        return _buffer.AsSpan((int)(position - _bufferStart), count);
    }

    public readonly void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}

internal static class SegmentFile
{
    /// <summary>Reads until the span is full or the file ends; returns bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> destination, long position)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var n = RandomAccess.Read(handle, destination[total..], position + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }
}
