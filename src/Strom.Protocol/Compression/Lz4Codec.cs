using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// LZ4, codec 3: the LZ4 frame format (lz4_Frame_format.md), through the system liblz4.
/// <code>
/// magic 0x184D2204 (LE), FLG, BD, [content size u64], [dict id u32], HC, blocks..., end mark 0
/// HC = (xxh32(FLG..last descriptor byte) >> 8) &amp; 0xFF
/// </code>
/// The Java client's reader accepts only independent blocks, so we write independent 64 KiB
/// blocks with no content size or checksums. Magic 0 message sets hashed the magic number
/// into HC too (KAFKA-1493): for those we recompute HC before handing the header to liblz4.
/// </summary>
internal static unsafe partial class Lz4Codec
{
    private const string Library = "liblz4.so.1";
    private const uint Lz4FVersion = 100;
    private const uint FrameMagic = 0x184D2204;

    [ThreadStatic]
    private static nint t_decompressionContext;

    public static int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var preferences = new Preferences { BlockSizeId = 4, BlockMode = 1 };
        var bound = (int)LZ4F_compressFrameBound((nuint)input.Length, &preferences);
        var span = output.GetSpan(bound);
        nuint n;
        fixed (byte* src = input)
        fixed (byte* dst = span)
        {
            n = LZ4F_compressFrame(dst, (nuint)span.Length, src, (nuint)input.Length, &preferences);
        }
        if (LZ4F_isError(n) != 0)
        {
            throw new InvalidOperationException($"LZ4 compression failed: {ErrorName(n)}");
        }
        output.Advance((int)n);
        return (int)n;
    }

    public static void Decompress(ReadOnlySpan<byte> input, ref BoundedOutput output, bool legacyHeaderChecksum)
    {
        var context = t_decompressionContext;
        if (context == 0)
        {
            var rc = LZ4F_createDecompressionContext(out context, Lz4FVersion);
            if (LZ4F_isError(rc) != 0)
            {
                throw new InvalidOperationException($"LZ4 context creation failed: {ErrorName(rc)}");
            }
            t_decompressionContext = context;
        }
        LZ4F_resetDecompressionContext(context);

        Span<byte> patched = stackalloc byte[19];
        var pos = 0;
        if (legacyHeaderChecksum)
        {
            var headerLength = FixLegacyHeader(input, patched);
            RunDecoder(context, patched[..headerLength], ref output, out var done);
            pos = headerLength;
            if (done)
            {
                return;
            }
        }
        RunDecoder(context, input[pos..], ref output, out var finished);
        if (!finished)
        {
            RecordThrow.Corrupt("Truncated LZ4 frame.");
        }
    }

    /// <summary>Feeds <paramref name="input"/> to the decoder until it is consumed or the frame ends.</summary>
    private static void RunDecoder(nint context, scoped ReadOnlySpan<byte> input, ref BoundedOutput output, out bool frameDone)
    {
        var pos = 0;
        frameDone = false;
        fixed (byte* src = input)
        {
            while (true)
            {
                var span = output.Next();
                nuint dstSize = (nuint)span.Length;
                nuint srcSize = (nuint)(input.Length - pos);
                nuint hint;
                fixed (byte* dst = span)
                {
                    hint = LZ4F_decompress(context, dst, ref dstSize, src + pos, ref srcSize, null);
                }
                if (LZ4F_isError(hint) != 0)
                {
                    RecordThrow.Corrupt($"Invalid LZ4 data: {ErrorName(hint)}");
                }
                pos += (int)srcSize;
                output.Advance((int)dstSize);
                if (hint == 0)
                {
                    frameDone = true;
                    return;
                }
                if (pos == input.Length && dstSize < (nuint)span.Length)
                {
                    return;
                }
                if (srcSize == 0 && dstSize == 0)
                {
                    RecordThrow.Corrupt("LZ4 decoder made no progress.");
                }
            }
        }
    }

    /// <summary>Copies the frame header with a correct HC byte; returns the header length.</summary>
    private static int FixLegacyHeader(ReadOnlySpan<byte> input, Span<byte> header)
    {
        if (input.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(input) != FrameMagic)
        {
            RecordThrow.Corrupt("Invalid LZ4 frame header.");
        }
        var flags = input[4];
        var descriptorLength = 2 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0);
        var length = 4 + descriptorLength + 1;
        if (input.Length < length)
        {
            RecordThrow.Corrupt("Truncated LZ4 frame header.");
        }
        input[..length].CopyTo(header);
        header[length - 1] = (byte)(XxHash32Small(header.Slice(4, descriptorLength)) >> 8);
        return length;
    }

    /// <summary>XXH32 with seed 0 for inputs under 16 bytes (the frame descriptor), per the xxHash spec.</summary>
    internal static uint XxHash32Small(ReadOnlySpan<byte> data)
    {
        const uint Prime1 = 2654435761U, Prime2 = 2246822519U, Prime3 = 3266489917U, Prime4 = 668265263U, Prime5 = 374761393U;
        var h = Prime5 + (uint)data.Length;
        var i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            h += BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) * Prime3;
            h = uint.RotateLeft(h, 17) * Prime4;
        }
        for (; i < data.Length; i++)
        {
            h += data[i] * Prime5;
            h = uint.RotateLeft(h, 11) * Prime1;
        }
        h ^= h >> 15;
        h *= Prime2;
        h ^= h >> 13;
        h *= Prime3;
        h ^= h >> 16;
        return h;
    }

    private static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(LZ4F_getErrorName(code)) ?? "unknown error";

    /// <summary>LZ4F_preferences_t: frame info (32 bytes), level, autoFlush, favorDecSpeed, 3 reserved.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Preferences
    {
        public int BlockSizeId;
        public int BlockMode;
        public int ContentChecksum;
        public int FrameType;
        public ulong ContentSize;
        public uint DictId;
        public int BlockChecksum;
        public int CompressionLevel;
        public uint AutoFlush;
        public uint FavorDecSpeed;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
    }

    [LibraryImport(Library)]
    private static partial nuint LZ4F_compressFrameBound(nuint srcSize, Preferences* preferences);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_compressFrame(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, Preferences* preferences);

    [LibraryImport(Library)]
    private static partial uint LZ4F_isError(nuint code);

    [LibraryImport(Library)]
    private static partial nint LZ4F_getErrorName(nuint code);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_createDecompressionContext(out nint context, uint version);

    [LibraryImport(Library)]
    private static partial void LZ4F_resetDecompressionContext(nint context);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_decompress(nint context, byte* dst, ref nuint dstSize, byte* src, ref nuint srcSize, void* options);
}
