using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Strom.Protocol.Records;

namespace Strom.Interop.Tests;

/// <summary>
/// The records the broker-kill tests produce: everything about record <c>seq</c> (key, value
/// size and bytes, headers, timestamp) follows from (run seed, seq), and the value starts with
/// seq, so any record found in the log can be regenerated and compared byte for byte.
/// </summary>
public sealed class KillRecords(int runSeed)
{
    public const long BaseTimestamp = 1_700_000_000_000;

    /// <summary>Record <paramref name="seq"/>: 100 to 4,000 bytes of value, a key out of 97, three headers (one null).</summary>
    public (byte[] Key, byte[] Value, RecordHeader[] Headers, long Timestamp) Create(long seq)
    {
        var random = new Random(unchecked((int)((runSeed * 0x9E3779B1L) ^ (seq * 0x85EBCA6BL) ^ (seq >> 32))));
        var value = new byte[random.Next(100, 4_001)];
        random.NextBytes(value);
        BinaryPrimitives.WriteInt64BigEndian(value, seq);
        var key = Encoding.UTF8.GetBytes($"key-{random.Next(97)}");
        RecordHeader[] headers =
        [
            new("seq", Encoding.UTF8.GetBytes(seq.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            new("run", Encoding.UTF8.GetBytes(runSeed.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            new("none", null),
        ];
        return (key, value, headers, BaseTimestamp + seq);
    }

    /// <summary>The seq a stored value claims, or -1 when it is too short to claim one.</summary>
    public static long SeqOf(ReadOnlySpan<byte> value) => value.Length >= 8 ? BinaryPrimitives.ReadInt64BigEndian(value) : -1;

    /// <summary>Null when the stored record is exactly record <paramref name="seq"/>, else what differs.</summary>
    public string? Mismatch(long seq, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader> headers, long timestamp)
    {
        var expected = Create(seq);
        if (!key.SequenceEqual(expected.Key))
        {
            return $"key {Encoding.UTF8.GetString(key)}, expected {Encoding.UTF8.GetString(expected.Key)}";
        }
        if (!value.SequenceEqual(expected.Value))
        {
            return $"value of {value.Length} bytes differs from the {expected.Value.Length} produced";
        }
        if (timestamp != expected.Timestamp)
        {
            return $"timestamp {timestamp}, expected {expected.Timestamp}";
        }
        if (headers.Count != expected.Headers.Length)
        {
            return $"{headers.Count} headers, expected {expected.Headers.Length}";
        }
        for (var i = 0; i < headers.Count; i++)
        {
            var (k, v) = (headers[i].Key, headers[i].Value);
            if (k != expected.Headers[i].Key || (v is null) != (expected.Headers[i].Value is null)
                || (v is not null && !v.AsSpan().SequenceEqual(expected.Headers[i].Value)))
            {
                return $"header {i} is {k}, expected {expected.Headers[i].Key} with the produced value";
            }
        }
        return null;
    }
}

/// <summary>What the producers were told: seq to (partition, offset) for every acknowledged record, and the failures.</summary>
public sealed class AckLedger
{
    private readonly ConcurrentQueue<string> _problems = new();
    private long _ackedBytes;
    private long _failed;

    public ConcurrentDictionary<long, (int Partition, long Offset)> Acked { get; } = new();

    public long AckedBytes => Interlocked.Read(ref _ackedBytes);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Reports that make no sense by themselves (a record acknowledged twice).</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    /// <summary>Records one delivery report (on the producer's I/O thread: no throwing here).</summary>
    public void OnDelivery(long seq, int bytes, int partition, long offset, Exception? error)
    {
        if (error is not null || offset < 0)
        {
            Interlocked.Increment(ref _failed);
            return;
        }
        if (!Acked.TryAdd(seq, (partition, offset)))
        {
            _problems.Enqueue($"record {seq} acknowledged twice: {Acked[seq]} and ({partition}, {offset})");
            return;
        }
        Interlocked.Add(ref _ackedBytes, bytes);
    }
}
