using System.Buffers;
using System.Globalization;
using System.Text;

namespace Strom.Storage.Formats;

/// <summary>
/// Kafka's checkpoint text layout shared by its checkpoint files: a version line, a count line,
/// then one whitespace-separated entry per line, all '\n'-terminated ASCII.
/// </summary>
internal static class CheckpointText
{
    /// <summary>Splits the file into entry lines after checking version and count.</summary>
    public static string[][] ReadEntries(ReadOnlySpan<byte> utf8, int expectedVersion, int fieldsPerEntry)
    {
        var lines = Encoding.UTF8.GetString(utf8).Split('\n');
        if (lines.Length < 2)
        {
            ThrowHelper.ThrowCorruptCheckpoint("missing version or count line");
        }
        if (!int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || version != expectedVersion)
        {
            ThrowHelper.ThrowCorruptCheckpoint($"unsupported version line '{lines[0]}'");
        }
        if (!int.TryParse(lines[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count > lines.Length - 2)
        {
            ThrowHelper.ThrowCorruptCheckpoint("bad entry count");
        }
        var entries = new string[count][];
        for (var i = 0; i < count; i++)
        {
            var fields = lines[i + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length != fieldsPerEntry)
            {
                ThrowHelper.ThrowCorruptCheckpoint($"malformed entry line {i + 3}");
            }
            entries[i] = fields;
        }
        for (var i = count + 2; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length != 0)
            {
                ThrowHelper.ThrowCorruptCheckpoint("more entries than the count line says");
            }
        }
        return entries;
    }

    public static long ParseLong(string field)
    {
        if (!long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            ThrowHelper.ThrowCorruptCheckpoint($"'{field}' is not a number");
        }
        return value;
    }

    public static int ParseInt(string field)
    {
        var value = ParseLong(field);
        if (value is < int.MinValue or > int.MaxValue)
        {
            ThrowHelper.ThrowCorruptCheckpoint($"'{field}' is out of range");
        }
        return (int)value;
    }

    public static void WriteLine(IBufferWriter<byte> writer, string line)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 1);
        var n = Encoding.UTF8.GetBytes(line, span);
        span[n] = (byte)'\n';
        writer.Advance(n + 1);
    }
}
