using System.Buffers;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// Hands out output space for a decoder while enforcing the decompressed-size cap: each span
/// is at most one byte larger than the room left, so a stream that produces more than the cap
/// is caught after at most one chunk, before anything past the cap is committed.
/// </summary>
internal ref struct BoundedOutput(IBufferWriter<byte> output, int maxBytes)
{
    public const int ChunkSize = 64 * 1024;
    private readonly IBufferWriter<byte> _output = output;
    private readonly int _maxBytes = maxBytes;

    public int Written { get; private set; }

    public readonly int Room => _maxBytes - Written;

    /// <summary>A span of up to <see cref="ChunkSize"/> bytes, never more than room + 1.</summary>
    public readonly Span<byte> Next()
    {
        var want = (int)Math.Min(ChunkSize, (long)Room + 1);
        return _output.GetSpan(want)[..want];
    }

    /// <summary>Exactly <paramref name="length"/> bytes, after checking the cap.</summary>
    public readonly Span<byte> Exact(int length)
    {
        if (length > Room)
        {
            ThrowTooLarge(_maxBytes);
        }
        return _output.GetSpan(length)[..length];
    }

    public void Advance(int count)
    {
        if (count > Room)
        {
            ThrowTooLarge(_maxBytes);
        }
        _output.Advance(count);
        Written += count;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowTooLarge(int maxBytes) =>
        RecordThrow.Corrupt($"Decompressed data exceeds the limit of {maxBytes} bytes.");
}
