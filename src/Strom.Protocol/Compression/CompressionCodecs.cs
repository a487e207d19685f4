using System.Buffers;
using Strom.Protocol.Records;

namespace Strom.Protocol.Compression;

/// <summary>
/// The four codecs of Kafka record batches (attributes bits 0-2: 1 gzip, 2 snappy, 3 lz4,
/// 4 zstd), each written the way the Java client writes it so every client can read what we
/// produce. Decompression is capped: bad data or output above the cap throws
/// <see cref="RecordFormatException"/> with <see cref="ErrorCode.CorruptMessage"/>.
/// </summary>
public static class CompressionCodecs
{
    /// <summary>A first guess for decompressed data: 4x the input, at least 1 KiB, never above the cap.</summary>
    internal static int DecompressionCapacity(int compressedLength, int maxOutputBytes) =>
        (int)Math.Clamp(compressedLength * 4L, 1024L, Math.Max(1024L, maxOutputBytes + 1L));

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/>; returns bytes written.</summary>
    public static int Compress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return type switch
        {
            CompressionType.Gzip => GzipCodec.Compress(input, output),
            CompressionType.Snappy => SnappyCodec.Compress(input, output),
            CompressionType.Lz4 => Lz4Codec.Compress(input, output),
            CompressionType.Zstd => ZstdCodec.Compress(input, output),
            CompressionType.None => CopyUncompressed(input, output),
            _ => throw new RecordFormatException(ErrorCode.UnsupportedCompressionType, $"Unknown compression type {(int)type}."),
        };
    }

    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>, writing at most
    /// <paramref name="maxOutputBytes"/> bytes; returns bytes written.
    /// </summary>
    public static int Decompress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutputBytes) =>
        Decompress(type, input, output, maxOutputBytes, legacyLz4Checksum: false);

    /// <param name="legacyLz4Checksum">
    /// Magic 0 message sets carry an LZ4 frame whose header checksum was computed over the
    /// magic number too (KAFKA-1493); set this to accept them.
    /// </param>
    internal static int Decompress(CompressionType type, ReadOnlySpan<byte> input, IBufferWriter<byte> output, int maxOutputBytes, bool legacyLz4Checksum)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputBytes);
        var bounded = new BoundedOutput(output, maxOutputBytes);
        switch (type)
        {
            case CompressionType.Gzip:
                GzipCodec.Decompress(input, ref bounded);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Decompress(input, ref bounded);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Decompress(input, ref bounded, legacyLz4Checksum);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Decompress(input, ref bounded);
                break;
            case CompressionType.None:
                input.CopyTo(bounded.Exact(input.Length));
                bounded.Advance(input.Length);
                break;
            default:
                RecordThrow.Error(ErrorCode.UnsupportedCompressionType, $"Unknown compression type {(int)type}.");
                break;
        }
        return bounded.Written;
    }

    private static int CopyUncompressed(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        input.CopyTo(output.GetSpan(input.Length));
        output.Advance(input.Length);
        return input.Length;
    }
}
