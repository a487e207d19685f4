using System.Diagnostics.CodeAnalysis;

namespace Strom.Protocol.Records;

/// <summary>
/// Bad record bytes: a corrupt or inconsistent batch, a failed decompression, or a
/// decompressed size above the cap. <see cref="ErrorCode"/> is what the broker answers with.
/// </summary>
public sealed class RecordFormatException(ErrorCode errorCode, string message) : Exception(message)
{
    public ErrorCode ErrorCode { get; } = errorCode;
}

/// <summary>Throw helpers so hot paths stay small (Kestrel's BadHttpRequestException pattern).</summary>
internal static class RecordThrow
{
    [DoesNotReturn]
    public static void Corrupt(string reason) => throw new RecordFormatException(ErrorCode.CorruptMessage, reason);

    [DoesNotReturn]
    public static void Invalid(string reason) => throw new RecordFormatException(ErrorCode.InvalidRecord, reason);

    [DoesNotReturn]
    public static void Error(ErrorCode code, string reason) => throw new RecordFormatException(code, reason);

    [DoesNotReturn]
    public static T Corrupt<T>(string reason) => throw new RecordFormatException(ErrorCode.CorruptMessage, reason);
}
