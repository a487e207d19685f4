using System.Buffers.Binary;
using Strom.Protocol.Primitives;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// The raw Snappy block format (google/snappy format_description.txt): a varint with the
/// uncompressed length, then elements tagged by their low two bits:
/// <code>
/// 00 literal: len-1 in tag bits 2-7 (60..63 mean 1..4 little-endian length bytes follow)
/// 01 copy:    len 4..11 in bits 2-4, offset 11 bits (bits 5-7 of tag + 1 byte)
/// 10 copy:    len 1..64 in bits 2-7, offset uint16 LE
/// 11 copy:    len 1..64 in bits 2-7, offset uint32 LE
/// </code>
/// Written here rather than taken from a package so decoding goes straight into a capped,
/// pooled output (the declared length is checked before any space is taken) and encoding
/// does not allocate.
/// </summary>
internal static class SnappyBlock
{
    private const int FragmentSize = 1 << 16;
    private const int HashBits = 14;
    private const int MinMatchInput = 16;

    public static int MaxCompressedLength(int length) => 32 + length + (length / 6);

    /// <summary>Compresses into <paramref name="output"/> (at least <see cref="MaxCompressedLength"/> bytes); returns bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var pos = VarInt.WriteUnsigned(output, (uint)input.Length);
        Span<ushort> table = stackalloc ushort[1 << HashBits];
        for (var start = 0; start < input.Length; start += FragmentSize)
        {
            var fragment = input.Slice(start, Math.Min(FragmentSize, input.Length - start));
            pos += CompressFragment(fragment, output[pos..], table);
        }
        return pos;
    }

    private static int CompressFragment(ReadOnlySpan<byte> src, Span<byte> dst, Span<ushort> table)
    {
        var d = 0;
        var nextEmit = 0;
        if (src.Length >= MinMatchInput)
        {
            table.Clear();
            var limit = src.Length - 4;
            var ip = 1;
            var skip = 32;
            while (ip <= limit)
            {
                var current = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                var h = Hash(current);
                int candidate = table[h];
                table[h] = (ushort)ip;
                if (candidate >= ip || BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]) != current)
                {
                    ip += skip++ >> 5;
                    continue;
                }
                skip = 32;
                d += EmitLiteral(src[nextEmit..ip], dst[d..]);
                var length = 4;
                while (ip + length < src.Length && src[candidate + length] == src[ip + length])
                {
                    length++;
                }
                d += EmitCopy(ip - candidate, length, dst[d..]);
                ip += length;
                nextEmit = ip;
                if (ip - 1 <= limit)
                {
                    table[Hash(BinaryPrimitives.ReadUInt32LittleEndian(src[(ip - 1)..]))] = (ushort)(ip - 1);
                }
            }
        }
        if (nextEmit < src.Length)
        {
            d += EmitLiteral(src[nextEmit..], dst[d..]);
        }
        return d;
    }

    private static int Hash(uint value) => (int)((value * 0x1E35A7BDu) >> (32 - HashBits));

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> dst)
    {
        if (literal.IsEmpty)
        {
            return 0;
        }
        var n = literal.Length - 1;
        int d;
        if (n < 60)
        {
            dst[0] = (byte)(n << 2);
            d = 1;
        }
        else if (n < 1 << 8)
        {
            dst[0] = 60 << 2;
            dst[1] = (byte)n;
            d = 2;
        }
        else
        {
            // Fragments are at most 64 KiB, so two length bytes always suffice.
            dst[0] = 61 << 2;
            BinaryPrimitives.WriteUInt16LittleEndian(dst[1..], (ushort)n);
            d = 3;
        }
        literal.CopyTo(dst[d..]);
        return d + literal.Length;
    }

    private static int EmitCopy(int offset, int length, Span<byte> dst)
    {
        var d = 0;
        while (length >= 68)
        {
            d += EmitCopy2(offset, 64, dst[d..]);
            length -= 64;
        }
        if (length > 64)
        {
            d += EmitCopy2(offset, 60, dst[d..]);
            length -= 60;
        }
        if (length < 12 && offset < 2048)
        {
            dst[d] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            dst[d + 1] = (byte)offset;
            return d + 2;
        }
        return d + EmitCopy2(offset, length, dst[d..]);
    }

    private static int EmitCopy2(int offset, int length, Span<byte> dst)
    {
        dst[0] = (byte)(2 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(dst[1..], (ushort)offset);
        return 3;
    }

    /// <summary>Reads the uncompressed-length preamble; returns its size in bytes.</summary>
    public static int ReadUncompressedLength(ReadOnlySpan<byte> block, out int length)
    {
        var n = VarInt.TryReadUnsigned(block, out uint raw);
        if (n <= 0 || raw > int.MaxValue)
        {
            RecordThrow.Corrupt("Invalid snappy block length.");
        }
        length = (int)raw;
        return n;
    }

    /// <summary>Decodes the elements of a block into <paramref name="dst"/>, which must be exactly the declared length.</summary>
    public static void Decompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var s = 0;
        var d = 0;
        while (s < src.Length)
        {
            int tag = src[s++];
            long length;
            long offset;
            switch (tag & 3)
            {
                case 0:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        var extra = (int)length - 59;
                        if (src.Length - s < extra)
                        {
                            ThrowCorrupt();
                        }
                        length = 0;
                        for (var i = extra - 1; i >= 0; i--)
                        {
                            length = (length << 8) | src[s + i];
                        }
                        s += extra;
                    }
                    length++;
                    if (length > src.Length - s || length > dst.Length - d)
                    {
                        ThrowCorrupt();
                    }
                    src.Slice(s, (int)length).CopyTo(dst[d..]);
                    s += (int)length;
                    d += (int)length;
                    continue;
                case 1:
                    if (s >= src.Length)
                    {
                        ThrowCorrupt();
                    }
                    length = 4 + ((tag >> 2) & 7);
                    offset = ((tag & 0xE0) << 3) | src[s++];
                    break;
                case 2:
                    if (src.Length - s < 2)
                    {
                        ThrowCorrupt();
                    }
                    length = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src[s..]);
                    s += 2;
                    break;
                default:
                    if (src.Length - s < 4)
                    {
                        ThrowCorrupt();
                    }
                    length = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt32LittleEndian(src[s..]);
                    s += 4;
                    break;
            }
            if (offset == 0 || offset > d || length > dst.Length - d)
            {
                ThrowCorrupt();
            }
            var from = d - (int)offset;
            var len = (int)length;
            if (offset >= length)
            {
                dst.Slice(from, len).CopyTo(dst[d..]);
            }
            else
            {
                for (var i = 0; i < len; i++)
                {
                    dst[d + i] = dst[from + i];
                }
            }
            d += len;
        }
        if (d != dst.Length)
        {
            ThrowCorrupt();
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowCorrupt() => RecordThrow.Corrupt("Invalid snappy data.");
}
