using System.Buffers.Binary;

namespace Strom.Client.Producer;

/// <summary>
/// The partitioning of Kafka's Java producer, so a key lands on the same partition whichever
/// client wrote it: MurmurHash2 (32-bit, seed 0x9747b28c, little-endian 4-byte blocks, tail
/// bytes folded in high to low), made positive by masking the sign bit (not Math.Abs), modulo
/// the topic's partition count. librdkafka's "murmur2_random" partitioner is the same.
/// </summary>
public static class Partitioners
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>Kafka's murmur2 of <paramref name="data"/> as a signed int (what Java's Utils.murmur2 returns).</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..]);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        var tail = length & ~3;
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= M;
                break;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
        }
        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>The partition Java's default partitioner picks for a non-null key.</summary>
    public static int ForKey(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return (Murmur2(key) & 0x7fffffff) % partitionCount;
    }
}

/// <summary>
/// KIP-480 sticky partitioning for keyless records: every keyless record of a topic goes to
/// one partition until a batch for it is closed, then the topic moves to another partition
/// chosen at random. Batches fill faster, so linger costs less latency.
/// </summary>
internal sealed class StickyPartitioner
{
    private readonly Dictionary<string, int> _current = new(StringComparer.Ordinal);

    /// <summary>The sticky partition of <paramref name="topic"/>, choosing one if there is none.</summary>
    public int Partition(string topic, int partitionCount)
    {
        if (!_current.TryGetValue(topic, out var partition) || partition >= partitionCount)
        {
            partition = Random.Shared.Next(partitionCount);
            _current[topic] = partition;
        }
        return partition;
    }

    /// <summary>A batch of <paramref name="partition"/> was closed: move the topic elsewhere (KIP-480's onNewBatch).</summary>
    public void OnNewBatch(string topic, int partition, int partitionCount)
    {
        if (!_current.TryGetValue(topic, out var current) || current != partition)
        {
            return;
        }
        if (partitionCount <= 1)
        {
            return;
        }
        var next = Random.Shared.Next(partitionCount - 1);
        _current[topic] = next >= partition ? next + 1 : next;
    }
}
