using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Primitives;
using Strom.Storage.Producers;

namespace Strom.Storage.Formats;

/// <summary>
/// Producer state snapshot, <c>&lt;20-digit log end offset&gt;.snapshot</c> (Kafka's file name; the
/// layout is Strom's own, big-endian). Restoring it spares replaying the log up to that offset.
/// <code>
///  0 version int16 (1)
///  2 crc uint32: CRC-32C of every byte from offset 6 to the end
///  6 producerCount int32
/// 10 producers, each:
///      producerId int64, epoch int16, lastTimestamp int64, coordinatorEpoch int32,
///      currentTxnFirstOffset int64, batchCount int8 (0..5), then batchCount batches
///      (oldest first): firstSequence int32, lastSequence int32, offsetDelta int32,
///      lastOffset int64, timestamp int64
/// </code>
/// Unlike Kafka's snapshot, which keeps one batch per producer, all five are kept, so a retry of
/// any in-flight batch is still recognised as a duplicate after a restart.
/// </summary>
public static class ProducerSnapshotFile
{
    public const short Version = 1;
    public const int HeaderSize = 10;
    public const int ProducerSize = 8 + 2 + 8 + 4 + 8 + 1;
    public const int BatchSize = 4 + 4 + 4 + 8 + 8;

    public static List<ProducerStateEntry> Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderSize)
        {
            ThrowHelper.ThrowCorruptCheckpoint("producer snapshot shorter than its header");
        }
        if (BinaryPrimitives.ReadInt16BigEndian(file) != Version)
        {
            ThrowHelper.ThrowCorruptCheckpoint("unsupported producer snapshot version");
        }
        if (BinaryPrimitives.ReadUInt32BigEndian(file[2..]) != Crc32C.Compute(file[6..]))
        {
            ThrowHelper.ThrowCorruptCheckpoint("producer snapshot failed its CRC check");
        }
        var count = BinaryPrimitives.ReadInt32BigEndian(file[6..]);
        if (count < 0 || count > (file.Length - HeaderSize) / ProducerSize)
        {
            ThrowHelper.ThrowCorruptCheckpoint("producer snapshot count exceeds the file");
        }
        var entries = new List<ProducerStateEntry>(count);
        var s = file[HeaderSize..];
        for (var i = 0; i < count; i++)
        {
            if (s.Length < ProducerSize)
            {
                ThrowHelper.ThrowCorruptCheckpoint("producer snapshot is truncated");
            }
            var entry = new ProducerStateEntry(BinaryPrimitives.ReadInt64BigEndian(s), BinaryPrimitives.ReadInt16BigEndian(s[8..]))
            {
                LastTimestamp = BinaryPrimitives.ReadInt64BigEndian(s[10..]),
                CoordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(s[18..]),
                CurrentTxnFirstOffset = BinaryPrimitives.ReadInt64BigEndian(s[22..]),
            };
            int batches = s[30];
            s = s[ProducerSize..];
            if (batches > ProducerStateEntry.MaxBatches || s.Length < batches * BatchSize)
            {
                ThrowHelper.ThrowCorruptCheckpoint("producer snapshot batch count out of range");
            }
            for (var b = 0; b < batches; b++)
            {
                entry.Restore(new ProducerBatchMetadata(
                    BinaryPrimitives.ReadInt32BigEndian(s),
                    BinaryPrimitives.ReadInt32BigEndian(s[4..]),
                    BinaryPrimitives.ReadInt32BigEndian(s[8..]),
                    BinaryPrimitives.ReadInt64BigEndian(s[12..]),
                    BinaryPrimitives.ReadInt64BigEndian(s[20..])));
                s = s[BatchSize..];
            }
            entries.Add(entry);
        }
        if (!s.IsEmpty)
        {
            ThrowHelper.ThrowCorruptCheckpoint("producer snapshot has trailing bytes");
        }
        return entries;
    }

    public static void Format(IBufferWriter<byte> writer, IReadOnlyCollection<ProducerStateEntry> entries)
    {
        var size = HeaderSize;
        foreach (var e in entries)
        {
            size += ProducerSize + e.Batches.Count * BatchSize;
        }
        var span = writer.GetSpan(size)[..size];
        BinaryPrimitives.WriteInt16BigEndian(span, Version);
        BinaryPrimitives.WriteInt32BigEndian(span[6..], entries.Count);
        var s = span[HeaderSize..];
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteInt64BigEndian(s, e.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(s[8..], e.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(s[10..], e.LastTimestamp);
            BinaryPrimitives.WriteInt32BigEndian(s[18..], e.CoordinatorEpoch);
            BinaryPrimitives.WriteInt64BigEndian(s[22..], e.CurrentTxnFirstOffset);
            s[30] = (byte)e.Batches.Count;
            s = s[ProducerSize..];
            foreach (var b in e.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(s, b.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(s[4..], b.LastSequence);
                BinaryPrimitives.WriteInt32BigEndian(s[8..], b.OffsetDelta);
                BinaryPrimitives.WriteInt64BigEndian(s[12..], b.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(s[20..], b.Timestamp);
                s = s[BatchSize..];
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], Crc32C.Compute(span[6..]));
        writer.Advance(size);
    }

    public static void Write(string path, IReadOnlyCollection<ProducerStateEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(HeaderSize + entries.Count * (ProducerSize + BatchSize));
        Format(buffer, entries);
        AtomicFile.Write(path, buffer.WrittenSpan);
    }
}
