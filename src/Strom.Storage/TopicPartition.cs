namespace Strom.Storage;

/// <summary>A partition of a topic; its log lives in the directory <c>&lt;topic&gt;-&lt;partition&gt;</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <summary>The partition's directory name under a log dir.</summary>
    public string DirectoryName => $"{Topic}-{Partition}";

    public override string ToString() => DirectoryName;

    /// <summary>Parses <c>topic-partition</c>; topics may contain '-', so the last one splits.</summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition tp)
    {
        tp = default;
        var dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1
            || !int.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out var partition))
        {
            return false;
        }
        tp = new TopicPartition(name[..dash], partition);
        return true;
    }
}
