using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// gzip (RFC 1952), codec 1: header (1f 8b 08 ...), deflate data, then CRC-32 and ISIZE of
/// the member. Java writes one member at the zlib default level (6, .NET's Optimal), so
/// compression uses <see cref="GZipStream"/>. Decompression calls the system zlib instead:
/// GZipStream silently returns short data for a truncated stream or a missing trailer,
/// which a broker validating produced batches cannot accept. Concatenated members are read;
/// bytes after the last member that do not start a new member are ignored, as Java does.
/// </summary>
internal static unsafe partial class GzipCodec
{
    private const string Library = "libz.so.1";
    private const int GzipWindowBits = 16 + 15;
    private const int ZOk = 0;
    private const int ZStreamEnd = 1;
    private const int ZBufError = -5;

    /// <summary>A complete gzip member with no content, for empty input (GZipStream writes nothing).</summary>
    private static ReadOnlySpan<byte> EmptyMember =>
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [ThreadStatic]
    private static ZStream* t_stream;

    public static int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        if (input.IsEmpty)
        {
            EmptyMember.CopyTo(output.GetSpan(EmptyMember.Length));
            output.Advance(EmptyMember.Length);
            return EmptyMember.Length;
        }
        var sink = new BufferWriterStream(output);
        using (var gzip = new GZipStream(sink, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(input);
        }
        return sink.Written;
    }

    public static void Decompress(ReadOnlySpan<byte> input, ref BoundedOutput output)
    {
        var stream = Inflater();
        fixed (byte* src = input)
        {
            stream->NextIn = src;
            stream->AvailIn = (uint)input.Length;
            while (true)
            {
                var span = output.Next();
                int rc;
                fixed (byte* dst = span)
                {
                    stream->NextOut = dst;
                    stream->AvailOut = (uint)span.Length;
                    rc = inflate(stream, 0);
                    output.Advance(span.Length - (int)stream->AvailOut);
                }
                if (rc == ZStreamEnd)
                {
                    var rest = (int)stream->AvailIn;
                    if (rest < 2 || input[^rest] != 0x1f || input[^(rest - 1)] != 0x8b)
                    {
                        return;
                    }
                    inflateReset(stream);
                    continue;
                }
                if (rc == ZOk && (stream->AvailIn > 0 || stream->AvailOut == 0))
                {
                    continue;
                }
                if (rc == ZOk || rc == ZBufError)
                {
                    RecordThrow.Corrupt("Truncated gzip data.");
                }
                var message = stream->Message == 0 ? $"zlib error {rc}" : Marshal.PtrToStringAnsi(stream->Message);
                RecordThrow.Corrupt($"Invalid gzip data: {message}");
            }
        }
    }

    private static ZStream* Inflater()
    {
        var stream = t_stream;
        if (stream is not null)
        {
            inflateReset(stream);
            return stream;
        }
        stream = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        var rc = inflateInit2_(stream, GzipWindowBits, zlibVersion(), sizeof(ZStream));
        if (rc != ZOk)
        {
            NativeMemory.Free(stream);
            throw new InvalidOperationException($"zlib inflateInit2 failed: {rc}");
        }
        t_stream = stream;
        return stream;
    }

    /// <summary>zlib's z_stream; lives in native memory because zlib keeps a pointer back to it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public CULong TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public CULong TotalOut;
        public nint Message;
        public nint State;
        public nint Alloc;
        public nint Free;
        public nint Opaque;
        public int DataType;
        public CULong Adler;
        public CULong Reserved;
    }

    [LibraryImport(Library)]
    private static partial nint zlibVersion();

    [LibraryImport(Library)]
    private static partial int inflateInit2_(ZStream* stream, int windowBits, nint version, int streamSize);

    [LibraryImport(Library)]
    private static partial int inflate(ZStream* stream, int flush);

    [LibraryImport(Library)]
    private static partial int inflateReset(ZStream* stream);

    /// <summary>Write-only stream adapter so GZipStream can write straight into an IBufferWriter.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> output) : Stream
    {
        public int Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(output.GetSpan(buffer.Length));
            output.Advance(buffer.Length);
            Written += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
