using System.Buffers.Binary;

namespace Strom.Broker.Producers;

/// <summary>
/// Hands out producer ids that are never reused, across restarts too: ids are taken in blocks,
/// and the end of the current block is made durable (written, fsynced, renamed) before any id
/// in it is handed out. A crash skips the rest of a block, never repeats an id.
/// File format: 8 bytes, the big-endian next unreserved id.
/// </summary>
public sealed class ProducerIdManager
{
    public const int BlockSize = 1000;

    private readonly string _path;
    private readonly Lock _lock = new();
    private long _next;
    private long _blockEnd;

    public ProducerIdManager(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length != sizeof(long))
            {
                throw new InvalidDataException($"{path}: expected {sizeof(long)} bytes, found {bytes.Length}");
            }
            _next = BinaryPrimitives.ReadInt64BigEndian(bytes);
        }
        _blockEnd = _next;
    }

    public long Next()
    {
        lock (_lock)
        {
            if (_next >= _blockEnd)
            {
                Reserve(_next + BlockSize);
            }
            return _next++;
        }
    }

    private void Reserve(long blockEnd)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, blockEnd);
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        _blockEnd = blockEnd;
    }
}
