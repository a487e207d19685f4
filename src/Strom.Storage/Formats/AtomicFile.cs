using Microsoft.Win32.SafeHandles;

namespace Strom.Storage.Formats;

/// <summary>Replaces a small file atomically: write a .tmp sibling, fsync it, rename over the target.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var tmp = path + LogFileNames.TempSuffix;
        using (SafeFileHandle handle = File.OpenHandle(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, content, 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
