using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// Snappy, codec 2, in the xerial snappy-java stream framing that the Java client writes:
/// <code>
/// header: 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00, int32 version (1), int32 min compatible version (1)
/// then:   [int32 compressed length][raw snappy block of at most 32 KiB input] ...
/// </code>
/// All integers big-endian. Java reads a raw block when the header is absent, and some
/// clients (librdkafka) write raw blocks, so decompression accepts both; compression always
/// frames, because only the framed form is readable by every client.
/// </summary>
internal static class SnappyCodec
{
    private const int BlockSize = 32 * 1024;
    private const int HeaderSize = 16;
    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static int Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var header = output.GetSpan(HeaderSize);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        output.Advance(HeaderSize);
        var written = HeaderSize;
        for (var start = 0; start < input.Length; start += BlockSize)
        {
            var block = input.Slice(start, Math.Min(BlockSize, input.Length - start));
            var span = output.GetSpan(4 + SnappyBlock.MaxCompressedLength(block.Length));
            var n = SnappyBlock.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, n);
            output.Advance(4 + n);
            written += 4 + n;
        }
        return written;
    }

    public static void Decompress(ReadOnlySpan<byte> input, ref BoundedOutput output)
    {
        if (input.Length < HeaderSize || !input[..Magic.Length].SequenceEqual(Magic))
        {
            DecompressBlock(input, ref output);
            return;
        }
        var pos = HeaderSize;
        while (pos < input.Length)
        {
            if (input.Length - pos < 4)
            {
                RecordThrow.Corrupt("Truncated snappy frame.");
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(input[pos..]);
            pos += 4;
            if (length < 0 || length > input.Length - pos)
            {
                RecordThrow.Corrupt("Invalid snappy frame length.");
            }
            DecompressBlock(input.Slice(pos, length), ref output);
            pos += length;
        }
    }

    private static void DecompressBlock(ReadOnlySpan<byte> block, ref BoundedOutput output)
    {
        var n = SnappyBlock.ReadUncompressedLength(block, out var length);
        var span = output.Exact(length);
        SnappyBlock.Decompress(block[n..], span);
        output.Advance(length);
    }
}
