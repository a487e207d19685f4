using System.Buffers;
using System.IO.Compression;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// gzip (RFC 1952), codec 1. Java clients write one gzip member with the zlib default level
/// (6, which is .NET's Optimal); readers must accept concatenated members, which
/// <see cref="GZipStream"/> does.
/// </summary>
internal static class GzipCodec
{
    public static unsafe int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var sink = new BufferWriterStream(output);
        using (var gzip = new GZipStream(sink, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(input);
        }
        return sink.Written;
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> input, ref BoundedOutput output)
    {
        fixed (byte* p = input)
        {
            using var source = new UnmanagedMemoryStream(p, input.Length);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            try
            {
                while (true)
                {
                    var span = output.Next();
                    var n = gzip.Read(span);
                    if (n == 0)
                    {
                        return;
                    }
                    output.Advance(n);
                }
            }
            catch (InvalidDataException e)
            {
                RecordThrow.Corrupt($"Invalid gzip data: {e.Message}");
            }
        }
    }

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
