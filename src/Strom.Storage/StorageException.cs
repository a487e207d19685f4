using System.Diagnostics.CodeAnalysis;
using Strom.Protocol;

namespace Strom.Storage;

/// <summary>A storage failure that maps to a Kafka error code for the client.</summary>
public sealed class StorageException(ErrorCode code, string message) : IOException(message)
{
    public ErrorCode Code { get; } = code;
}

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalidBatches(string reason) =>
        throw new StorageException(ErrorCode.CorruptMessage, "Invalid record batches: " + reason);

    [DoesNotReturn]
    public static void ThrowBatchTooLarge(int size, int segmentBytes) =>
        throw new StorageException(ErrorCode.RecordListTooLarge,
            $"Appended batches of {size} bytes exceed segment.bytes {segmentBytes}");

    [DoesNotReturn]
    public static void ThrowClosed(TopicPartition tp) =>
        throw new StorageException(ErrorCode.KafkaStorageError, $"Log {tp} is closed");

    [DoesNotReturn]
    public static void ThrowCorruptCheckpoint(string reason) =>
        throw new StorageException(ErrorCode.KafkaStorageError, "Corrupt checkpoint file: " + reason);

    [DoesNotReturn]
    public static void ThrowProducerError(ErrorCode code, string message) =>
        throw new StorageException(code, message);
}
