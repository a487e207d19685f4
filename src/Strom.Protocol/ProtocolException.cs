using System.Diagnostics.CodeAnalysis;

namespace Strom.Protocol;

/// <summary>
/// Input that is malformed rather than short: a negative length that is not the null marker,
/// an over-long varint, null where the schema forbids it, an unknown API key or version.
/// <see cref="ErrorCode"/> is what the broker answers with.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public ErrorCode ErrorCode { get; }
}

/// <summary>Throw helpers: keep the throwing code out of the hot read paths.</summary>
internal static class ProtocolThrow
{
    [DoesNotReturn]
    public static void InvalidLength(long length) =>
        throw new ProtocolException(ErrorCode.InvalidRequest, $"Invalid length prefix {length}.");

    [DoesNotReturn]
    public static void VarIntTooLong() =>
        throw new ProtocolException(ErrorCode.InvalidRequest, "Variable-length integer is too long.");

    [DoesNotReturn]
    public static void UnexpectedNull() =>
        throw new ProtocolException(ErrorCode.InvalidRequest, "Null value for a non-nullable field.");

    [DoesNotReturn]
    public static void MalformedTaggedField(uint tag) =>
        throw new ProtocolException(ErrorCode.InvalidRequest, $"Tagged field {tag} is shorter than its declared size.");

    [DoesNotReturn]
    public static void UnsupportedVersion(string message, short version) =>
        throw new ProtocolException(ErrorCode.UnsupportedVersion, $"{message} does not support version {version}.");

    [DoesNotReturn]
    public static void UnknownApiKey(ApiKey key) =>
        throw new ProtocolException(ErrorCode.InvalidRequest, $"Unknown API key {(short)key}.");

    [DoesNotReturn]
    public static void InvalidUuid(string text) =>
        throw new FormatException($"'{text}' is not a base64 UUID.");
}
