using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Strom.Protocol.Compression;
using Strom.Protocol.Records;

namespace Strom.Protocol.Tests.Compression;

public class CompressionCodecsTests
{
    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    private static byte[] Sample(int length, int seed)
    {
        var random = new Random(seed);
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            // Runs of text with some noise: compressible but not trivial, with long matches.
            data[i] = i % 97 < 60 ? (byte)('a' + (i % 26)) : (byte)random.Next(256);
        }
        return data;
    }

    private static byte[] Compress(CompressionType type, ReadOnlySpan<byte> input)
    {
        var output = new ArrayBufferWriter<byte>();
        var n = CompressionCodecs.Compress(type, input, output);
        Assert.Equal(output.WrittenCount, n);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(CompressionType type, ReadOnlySpan<byte> input, int max = 1 << 24)
    {
        var output = new ArrayBufferWriter<byte>();
        var n = CompressionCodecs.Decompress(type, input, output, max);
        Assert.Equal(output.WrittenCount, n);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTripsManySizes(CompressionType type)
    {
        foreach (var length in new[] { 0, 1, 15, 16, 100, 4096, 32 * 1024, 32 * 1024 + 1, 200_000 })
        {
            var input = Sample(length, length);
            var compressed = Compress(type, input);
            Assert.Equal(input, Decompress(type, compressed));
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void CompressesRepetitiveData(CompressionType type)
    {
        var input = new byte[100_000];
        Array.Fill(input, (byte)'x');
        var compressed = Compress(type, input);
        if (type != CompressionType.None)
        {
            Assert.True(compressed.Length < 5_000, $"{type}: {compressed.Length} bytes");
        }
        Assert.Equal(input, Decompress(type, compressed));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void OutputExactlyAtTheCapIsAccepted(CompressionType type)
    {
        var input = Sample(70_000, 3);
        Assert.Equal(input, Decompress(type, Compress(type, input), max: input.Length));
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void DecompressionBombIsRejected(CompressionType type)
    {
        // 64 MiB of zeros shrinks to a few KiB (snappy: ~3 MiB); the cap is 1 MiB.
        var zeros = new byte[64 * 1024 * 1024];
        var compressed = Compress(type, zeros);
        var output = new CountingWriter();
        var e = Assert.Throws<RecordFormatException>(() => CompressionCodecs.Decompress(type, compressed, output, 1024 * 1024));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        Assert.True(output.Committed <= 1024 * 1024);
        Assert.True(output.LargestRequest <= 1024 * 1024 + 1, $"asked for {output.LargestRequest} bytes");
    }

    [Fact]
    public void SnappyDeclaredLengthAboveCapIsRejectedBeforeAllocating()
    {
        // Raw block declaring 2 GiB - 1 of output, followed by nothing.
        byte[] block = [0xFF, 0xFF, 0xFF, 0xFF, 0x07];
        var output = new CountingWriter();
        var e = Assert.Throws<RecordFormatException>(() => CompressionCodecs.Decompress(CompressionType.Snappy, block, output, 1 << 20));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        Assert.Equal(0, output.LargestRequest);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void GarbageAndTruncationAreCorruptMessage(CompressionType type)
    {
        var compressed = Compress(type, Sample(50_000, 9));
        var garbage = new byte[200];
        new Random(1).NextBytes(garbage);
        garbage[0] = 0x10; // not a valid snappy preamble for 200 bytes either
        foreach (var input in new[] { compressed[..(compressed.Length / 2)], garbage })
        {
            var e = Assert.Throws<RecordFormatException>(() => Decompress(type, input));
            Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        }
    }

    [Fact]
    public void UnknownCodecIsUnsupportedCompressionType()
    {
        var e = Assert.Throws<RecordFormatException>(() => Decompress((CompressionType)5, [1, 2, 3]));
        Assert.Equal(ErrorCode.UnsupportedCompressionType, e.ErrorCode);
    }

    [Fact]
    public void SnappyWritesXerialFramingInBlocksOf32KiB()
    {
        var input = Sample(70_000, 5);
        var compressed = Compress(CompressionType.Snappy, input);
        Assert.Equal(new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1 }, compressed[..16]);
        var pos = 16;
        var blocks = 0;
        while (pos < compressed.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(pos));
            var block = compressed.AsSpan(pos + 4, length);
            Assert.Equal(blocks < 2 ? 32 * 1024 : 70_000 - (64 * 1024), ReadUnsignedVarint(block));
            pos += 4 + length;
            blocks++;
        }
        Assert.Equal(3, blocks);
    }

    [Fact]
    public void SnappyReadsRawBlocksWithOverlappingCopies()
    {
        // Length 13; literal "ab"; copy offset 2 length 11 (overlapping) => "abababababab" + "a".
        byte[] block = [13, 0x04, (byte)'a', (byte)'b', 0x01 | (7 << 2), 2];
        Assert.Equal("abababababababa"[..13], System.Text.Encoding.ASCII.GetString(Decompress(CompressionType.Snappy, block)));
    }

    [Fact]
    public void SnappyRejectsCopyBeforeStart()
    {
        byte[] block = [5, 0x00, (byte)'a', 0x01 | (0 << 2), 9];
        Assert.Throws<RecordFormatException>(() => Decompress(CompressionType.Snappy, block));
    }

    [Fact]
    public void GzipReadsConcatenatedMembers()
    {
        var stream = new MemoryStream();
        foreach (var part in new[] { "hello, "u8.ToArray(), "world"u8.ToArray() })
        {
            using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(part);
        }
        Assert.Equal("hello, world"u8.ToArray(), Decompress(CompressionType.Gzip, stream.ToArray()));
    }

    [Fact]
    public void Lz4WritesIndependent64KiBBlocksWithoutChecksums()
    {
        var compressed = Compress(CompressionType.Lz4, Sample(1000, 2));
        Assert.Equal(0x184D2204u, BinaryPrimitives.ReadUInt32LittleEndian(compressed));
        // FLG: version 01, block independence set, no block/content checksum, no content size, no dict id.
        Assert.Equal(0b0110_0000, compressed[4]);
        // BD: block max size 64 KiB.
        Assert.Equal(4 << 4, compressed[5]);
        Assert.Equal((byte)(Lz4Codec.XxHash32Small(compressed.AsSpan(4, 2)) >> 8), compressed[6]);
    }

    [Fact]
    public void XxHash32MatchesReferenceVectors()
    {
        // Reference values of XXH32 with seed 0.
        Assert.Equal(0x02CC5D05u, Lz4Codec.XxHash32Small([]));
        Assert.Equal(0x32D153FFu, Lz4Codec.XxHash32Small("abc"u8));
    }

    private static int ReadUnsignedVarint(ReadOnlySpan<byte> s)
    {
        Strom.Protocol.Primitives.VarInt.TryReadUnsigned(s, out uint value);
        return (int)value;
    }

    /// <summary>Records how much space a decoder asked for and committed.</summary>
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[1024];
        public long Committed { get; private set; }
        public int LargestRequest { get; private set; }

        public void Advance(int count) => Committed += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Get(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Get(sizeHint).Span;

        private Memory<byte> Get(int sizeHint)
        {
            LargestRequest = Math.Max(LargestRequest, sizeHint);
            if (_buffer.Length < sizeHint)
            {
                _buffer = new byte[sizeHint];
            }
            return _buffer;
        }
    }
}
