namespace Strom.Storage;

/// <summary>Offsets the log assigned to an append.</summary>
/// <param name="FirstOffset">Base offset of the first appended batch.</param>
/// <param name="LastOffset">Last offset of the last appended batch.</param>
/// <param name="LogAppendTimeMs">The stamped LogAppendTime, or -1 for CreateTime.</param>
/// <param name="LogStartOffset">The log start offset after the append.</param>
/// <param name="IsDuplicate">
/// True when an idempotent producer retried a batch already in the log: nothing was appended and
/// the offsets are the original batch's.
/// </param>
public readonly record struct AppendResult(long FirstOffset, long LastOffset, long LogAppendTimeMs, long LogStartOffset, bool IsDuplicate = false);
