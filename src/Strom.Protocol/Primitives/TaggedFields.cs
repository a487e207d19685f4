using System.Buffers;

namespace Strom.Protocol.Primitives;

/// <summary>
/// The tagged-field section that ends every struct in flexible versions (KIP-482):
/// <c>count:uvarint (tag:uvarint size:uvarint value[size])*</c>, tags in increasing order.
/// Known fields are written by generated code; unknown ones it read are merged back in order.
/// </summary>
public static class TaggedFields
{
    public static void WriteHeader(IBufferWriter<byte> writer, uint tag, int size)
    {
        ProtocolWriter.WriteUnsignedVarInt(writer, tag);
        ProtocolWriter.WriteUnsignedVarInt(writer, (uint)size);
    }

    public static void WriteField(IBufferWriter<byte> writer, uint tag, ReadOnlySpan<byte> value)
    {
        WriteHeader(writer, tag, value.Length);
        writer.Write(value);
    }

    /// <summary>
    /// Writes the unknown fields from <paramref name="index"/> on whose tag is below
    /// <paramref name="before"/>; returns the index of the first one not written.
    /// </summary>
    public static int WriteUnknownBefore(IBufferWriter<byte> writer, List<RawTaggedField>? fields, int index, uint before)
    {
        if (fields is null)
        {
            return index;
        }
        while (index < fields.Count && fields[index].Tag < before)
        {
            WriteField(writer, fields[index].Tag, fields[index].Data);
            index++;
        }
        return index;
    }

    /// <summary>Writes every remaining unknown field.</summary>
    public static void WriteUnknownRest(IBufferWriter<byte> writer, List<RawTaggedField>? fields, int index)
    {
        if (fields is null)
        {
            return;
        }
        for (; index < fields.Count; index++)
        {
            WriteField(writer, fields[index].Tag, fields[index].Data);
        }
    }
}

/// <summary>
/// A pooled scratch buffer for values whose size must be known before they are written
/// (tagged fields of variable size). One instance per thread is reused; nested use rents more.
/// </summary>
public sealed class ScratchBuffer : IBufferWriter<byte>, IDisposable
{
    [ThreadStatic]
    private static ScratchBuffer? _cached;

    private byte[] _buffer;
    private int _written;

    private ScratchBuffer()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(256);
    }

    public static ScratchBuffer Rent()
    {
        var scratch = _cached;
        if (scratch is null)
        {
            return new ScratchBuffer();
        }
        _cached = null;
        return scratch;
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Dispose()
    {
        _written = 0;
        if (_buffer.Length > 64 * 1024)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(256);
        }
        _cached = this;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
