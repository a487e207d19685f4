using System.Globalization;

namespace Strom.Storage.Formats;

/// <summary>
/// File names inside a partition directory: segments are named by their base offset, zero-padded
/// to 20 digits so they sort lexically (Kafka's naming).
/// </summary>
public static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string DeletedSuffix = ".deleted";
    public const string TempSuffix = ".tmp";
    public const string SnapshotSuffix = ".snapshot";
    /// <summary>A compacted segment being written; deleted at open (the cleaning did not finish).</summary>
    public const string CleanedSuffix = ".cleaned";
    /// <summary>A compacted segment about to replace its originals; completed at open.</summary>
    public const string SwapSuffix = ".swap";
    public const string CleanerOffsetCheckpoint = "cleaner-offset-checkpoint";
    public const string LeaderEpochCheckpoint = "leader-epoch-checkpoint";
    public const string RecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpoint = "log-start-offset-checkpoint";
    public const string CleanShutdownMarker = ".strom_cleanshutdown";
    public const string DeleteDirSuffix = "-delete";

    public static string BaseName(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + LogSuffix);

    public static string IndexFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + IndexSuffix);

    public static string TimeIndexFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + TimeIndexSuffix);

    /// <summary>Producer state snapshot taken when the log end was <paramref name="offset"/>.</summary>
    public static string SnapshotFile(string dir, long offset) => Path.Combine(dir, BaseName(offset) + SnapshotSuffix);

    /// <summary>Parses <c>00000000000000000042.log</c> (any suffix) to 42.</summary>
    public static bool TryParseBaseOffset(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = 0;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal) || fileName.Length != 20 + suffix.Length)
        {
            return false;
        }
        return long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
