using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Strom.Protocol.Primitives;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of record batch v2. Uses the SSE4.2 / ARMv8 CRC
/// instruction when present, a slicing table otherwise.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reflected Castagnoli
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a running CRC (pass 0xFFFFFFFF first, complement at the end).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong c = crc;
            while (data.Length >= 8)
            {
                c = Sse42.X64.Crc32(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            crc = (uint)c;
        }
        else if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
        }

        if (Sse42.IsSupported)
        {
            foreach (var b in data)
            {
                crc = Sse42.Crc32(crc, b);
            }
            return crc;
        }
        if (Crc32.IsSupported)
        {
            foreach (var b in data)
            {
                crc = Crc32.ComputeCrc32C(crc, b);
            }
            return crc;
        }
        return UpdateTable(crc, data);
    }

    internal static uint UpdateTable(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
