using System.Diagnostics.CodeAnalysis;
using Strom.Protocol;

namespace Strom.Client;

/// <summary>
/// A Kafka error reported by a broker (its <see cref="ErrorCode"/>) or met by the client
/// (network failure, timeout). <see cref="IsRetriable"/> follows Kafka's RetriableException set.
/// </summary>
public class KafkaException : Exception
{
    public KafkaException(ErrorCode errorCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
    }

    public ErrorCode ErrorCode { get; }

    public bool IsRetriable => ErrorCode.IsRetriable();
}

/// <summary>Which error codes a client retries, and a readable text for each common one.</summary>
public static class ErrorCodeExtensions
{
    /// <summary>True for errors that go away on their own (leader moves, topic creation in flight, timeouts).</summary>
    public static bool IsRetriable(this ErrorCode code) => code switch
    {
        ErrorCode.CorruptMessage or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
            or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator
            or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.NotController
            or ErrorCode.KafkaStorageError or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch
            or ErrorCode.OffsetNotAvailable or ErrorCode.PreferredLeaderNotAvailable or ErrorCode.UnknownTopicId
            or ErrorCode.ReplicaNotAvailable or ErrorCode.BrokerNotAvailable => true,
        _ => false,
    };

    /// <summary>Error code name in Kafka's style: NOT_LEADER_OR_FOLLOWER.</summary>
    public static string ToKafkaName(this ErrorCode code)
    {
        var name = code.ToString();
        if (int.TryParse(name, out _))
        {
            return "UNKNOWN_ERROR_" + name;
        }
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }
}

internal static class ClientThrow
{
    [DoesNotReturn]
    public static void Error(ErrorCode code, string? brokerMessage, string context) =>
        throw new KafkaException(code, string.IsNullOrEmpty(brokerMessage)
            ? $"{context}: {code.ToKafkaName()}"
            : $"{context}: {code.ToKafkaName()} ({brokerMessage})");

    /// <summary>Throws unless <paramref name="code"/> is zero.</summary>
    public static void IfError(short code, string? brokerMessage, string context)
    {
        if (code != 0)
        {
            Error((ErrorCode)code, brokerMessage, context);
        }
    }

    [DoesNotReturn]
    public static void Network(string message, Exception? inner = null) =>
        throw new KafkaException(ErrorCode.NetworkException, message, inner);

    [DoesNotReturn]
    public static void Timeout(string message) =>
        throw new KafkaException(ErrorCode.RequestTimedOut, message);
}

/// <summary>
/// The broker refused this client's credentials (SASL) or the TLS handshake failed. Not
/// retriable: trying again with the same settings fails the same way.
/// </summary>
public sealed class KafkaAuthenticationException(ErrorCode errorCode, string message, Exception? inner = null)
    : KafkaException(errorCode, message, inner);
