using System.Text;

namespace Strom.Avro;

/// <summary>
/// The CRC-64-AVRO (Rabin) fingerprint of a schema's Parsing Canonical Form (spec "Schema
/// Fingerprints"): a 64-bit CRC with the polynomial whose empty value is 0xc15d213aa4d7a795,
/// processed low bit first. Single-object encoding carries it little-endian.
/// </summary>
public static class Fingerprint
{
    public const ulong Empty = 0xc15d213aa4d7a795UL;

    private static readonly ulong[] Table = BuildTable();

    public static ulong Rabin(Schema schema) => Rabin(Encoding.UTF8.GetBytes(schema.ToCanonicalForm()));

    public static ulong Rabin(ReadOnlySpan<byte> data)
    {
        var fp = Empty;
        foreach (var b in data)
        {
            fp = (fp >> 8) ^ Table[(int)(fp ^ b) & 0xFF];
        }
        return fp;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var fp = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Empty & (0UL - (fp & 1)));
            }
            table[i] = fp;
        }
        return table;
    }
}
