using System.Buffers;
using System.Runtime.InteropServices;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// Zstandard, codec 4 (KIP-110; needs Produce v7 / Fetch v10), through the system libzstd.
/// One zstd frame (RFC 8878). Java's streaming writer omits the content size from the frame
/// header, so decoding streams into the capped output instead of trusting a declared size.
/// Compression and decompression contexts are kept per thread and reused. Level 3 is
/// Kafka's default (compression.zstd.level).
/// </summary>
internal static unsafe partial class ZstdCodec
{
    private const string Library = "libzstd.so.1";
    private const int DefaultLevel = 3;

    [ThreadStatic]
    private static nint t_compressionContext;

    [ThreadStatic]
    private static nint t_decompressionStream;

    public static int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var context = t_compressionContext;
        if (context == 0)
        {
            context = ZSTD_createCCtx();
            if (context == 0)
            {
                throw new InvalidOperationException("ZSTD_createCCtx failed.");
            }
            t_compressionContext = context;
        }
        var bound = (int)ZSTD_compressBound((nuint)input.Length);
        var span = output.GetSpan(bound);
        nuint n;
        fixed (byte* src = input)
        fixed (byte* dst = span)
        {
            n = ZSTD_compressCCtx(context, dst, (nuint)span.Length, src, (nuint)input.Length, DefaultLevel);
        }
        if (ZSTD_isError(n) != 0)
        {
            throw new InvalidOperationException($"zstd compression failed: {ErrorName(n)}");
        }
        output.Advance((int)n);
        return (int)n;
    }

    public static void Decompress(ReadOnlySpan<byte> input, ref BoundedOutput output)
    {
        var stream = t_decompressionStream;
        if (stream == 0)
        {
            stream = ZSTD_createDStream();
            if (stream == 0)
            {
                throw new InvalidOperationException("ZSTD_createDStream failed.");
            }
            t_decompressionStream = stream;
        }
        var rc = ZSTD_initDStream(stream);
        if (ZSTD_isError(rc) != 0)
        {
            throw new InvalidOperationException($"ZSTD_initDStream failed: {ErrorName(rc)}");
        }
        fixed (byte* src = input)
        {
            var inBuffer = new Buffer { Data = src, Size = (nuint)input.Length, Position = 0 };
            while (true)
            {
                var span = output.Next();
                nuint remaining;
                fixed (byte* dst = span)
                {
                    var outBuffer = new Buffer { Data = dst, Size = (nuint)span.Length, Position = 0 };
                    var before = inBuffer.Position;
                    remaining = ZSTD_decompressStream(stream, &outBuffer, &inBuffer);
                    if (ZSTD_isError(remaining) != 0)
                    {
                        RecordThrow.Corrupt($"Invalid zstd data: {ErrorName(remaining)}");
                    }
                    output.Advance((int)outBuffer.Position);
                    if (remaining == 0)
                    {
                        return;
                    }
                    if (inBuffer.Position == inBuffer.Size && outBuffer.Position < outBuffer.Size)
                    {
                        RecordThrow.Corrupt("Truncated zstd frame.");
                    }
                    if (inBuffer.Position == before && outBuffer.Position == 0)
                    {
                        RecordThrow.Corrupt("zstd decoder made no progress.");
                    }
                }
            }
        }
    }

    private static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(ZSTD_getErrorName(code)) ?? "unknown error";

    /// <summary>ZSTD_inBuffer / ZSTD_outBuffer: pointer, size, position.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Buffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Position;
    }

    [LibraryImport(Library)]
    private static partial nint ZSTD_createCCtx();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_compressBound(nuint srcSize);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_compressCCtx(nint context, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);

    [LibraryImport(Library)]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Library)]
    private static partial nint ZSTD_getErrorName(nuint code);

    [LibraryImport(Library)]
    private static partial nint ZSTD_createDStream();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_initDStream(nint stream);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_decompressStream(nint stream, Buffer* output, Buffer* input);
}
