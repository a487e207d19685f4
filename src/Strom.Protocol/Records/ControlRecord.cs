using System.Buffers;
using System.Buffers.Binary;

namespace Strom.Protocol.Records;

/// <summary>Type in a control record's key. Abort and Commit are transaction markers.</summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
    LeaderChange = 2,
    SnapshotHeader = 3,
    SnapshotFooter = 4,
    KRaftVersion = 5,
    KRaftVoters = 6,
}

/// <summary>
/// Control records live in batches with the control attribute set (KIP-98):
/// <code>
/// key:   version int16 (0), type int16
/// value: for Abort/Commit (EndTxnMarker), version int16 (0), coordinatorEpoch int32
/// </code>
/// The batch carries the transaction's producer id and epoch and is transactional.
/// </summary>
public static class ControlRecord
{
    public const int KeySize = 4;
    public const int EndTxnValueSize = 6;

    /// <summary>Reads a control record key; false if it is too short.</summary>
    public static bool TryParseKey(ReadOnlySpan<byte> key, out short version, out ControlRecordType type)
    {
        if (key.Length < KeySize)
        {
            version = 0;
            type = default;
            return false;
        }
        version = BinaryPrimitives.ReadInt16BigEndian(key);
        type = (ControlRecordType)BinaryPrimitives.ReadInt16BigEndian(key[2..]);
        return true;
    }

    /// <summary>Reads the coordinator epoch from an end-transaction marker value.</summary>
    public static bool TryParseEndTxnValue(ReadOnlySpan<byte> value, out int coordinatorEpoch)
    {
        if (value.Length < EndTxnValueSize)
        {
            coordinatorEpoch = 0;
            return false;
        }
        coordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(value[2..]);
        return true;
    }

    /// <summary>Writes a control batch holding one commit or abort marker; returns its size.</summary>
    public static int WriteEndTxnMarker(
        IBufferWriter<byte> output, long producerId, short producerEpoch, int coordinatorEpoch, bool commit,
        long timestamp, long baseOffset = 0, int partitionLeaderEpoch = -1)
    {
        Span<byte> key = stackalloc byte[KeySize];
        BinaryPrimitives.WriteInt16BigEndian(key, 0);
        BinaryPrimitives.WriteInt16BigEndian(key[2..], (short)(commit ? ControlRecordType.Commit : ControlRecordType.Abort));
        Span<byte> value = stackalloc byte[EndTxnValueSize];
        BinaryPrimitives.WriteInt16BigEndian(value, 0);
        BinaryPrimitives.WriteInt32BigEndian(value[2..], coordinatorEpoch);
        using var builder = new RecordBatchBuilder
        {
            BaseOffset = baseOffset,
            PartitionLeaderEpoch = partitionLeaderEpoch,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
            IsControl = true,
        };
        builder.AppendSpan(0, timestamp, key, false, value, false, null);
        return builder.WriteTo(output);
    }
}
