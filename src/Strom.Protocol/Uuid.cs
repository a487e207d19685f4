using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Strom.Protocol;

/// <summary>
/// Kafka's 128-bit UUID (topic ids, directory ids, ...): two big-endian 64-bit halves on the
/// wire; printed as URL-safe base64 of the 16 bytes without padding (22 characters).
/// </summary>
public readonly record struct Uuid(long MostSignificantBits, long LeastSignificantBits)
{
    public const int Size = 16;

    public static readonly Uuid Zero;

    /// <summary>Kafka reserves this id for the cluster metadata topic.</summary>
    public static readonly Uuid One = new(0, 1);

    /// <summary>A random version-4 UUID that is neither reserved nor prints with a leading '-'.</summary>
    public static Uuid NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            var uuid = Read(bytes);
            // Kafka avoids ids whose text starts with '-' (they look like command-line flags).
            if (uuid != Zero && uuid != One && (bytes[0] >> 2) != 62)
            {
                return uuid;
            }
        }
    }

    public static Uuid Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    public static Uuid Parse(string text)
    {
        if (!TryParse(text, out var uuid))
        {
            ProtocolThrow.InvalidUuid(text);
        }
        return uuid;
    }

    public static bool TryParse(string? text, out Uuid uuid)
    {
        uuid = Zero;
        Span<byte> bytes = stackalloc byte[Size + 2];
        if (text is null || text.Length != 22
            || Base64Url.DecodeFromChars(text, bytes, out var consumed, out var written) != OperationStatus.Done
            || consumed != text.Length || written != Size)
        {
            return false;
        }
        uuid = Read(bytes);
        return true;
    }
}
