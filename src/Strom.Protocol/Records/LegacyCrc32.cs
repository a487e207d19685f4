namespace Strom.Protocol.Records;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of magic 0/1 messages.
/// Only legacy message sets use it, so a byte-at-a-time table is enough.
/// </summary>
internal static class LegacyCrc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var table = Table;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
