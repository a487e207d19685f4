namespace Strom.Broker.Security;

/// <summary>
/// The server side of one SASL exchange: each client token in, the next server token out,
/// until <see cref="IsComplete"/>. Any failure throws <see cref="SaslAuthenticationException"/>,
/// whose message goes back to the client as SaslAuthenticate's error message.
/// </summary>
public interface ISaslServer
{
    string Mechanism { get; }
    bool IsComplete { get; }

    /// <summary>The authenticated user once complete.</summary>
    string? AuthorizationId { get; }

    byte[] EvaluateResponse(ReadOnlySpan<byte> response);
}

/// <summary>Authentication failed: the connection gets SASL_AUTHENTICATION_FAILED and is closed.</summary>
public sealed class SaslAuthenticationException(string message) : Exception(message);
