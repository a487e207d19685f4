namespace Strom.Broker.Security;

/// <summary>
/// The SASL state of one connection on a SASL listener (KIP-43, KIP-152): handshake, then
/// tokens until the mechanism completes. After a v0 handshake the tokens travel raw, each an
/// int32 size and bytes with no request header; after v1 they ride in SaslAuthenticate.
/// Until authenticated, only ApiVersions, SaslHandshake and SaslAuthenticate are served.
/// </summary>
public sealed class SaslSession(ListenerSecurity security, Func<string, ISaslServer> createServer)
{
    /// <summary>Kafka's sasl.server.max.receive.size: the largest token accepted before authentication.</summary>
    public const int MaxReceiveSize = 524288;

    private ISaslServer? _server;

    public ListenerSecurity Security => security;
    public bool IsAuthenticated { get; private set; }
    public bool HandshakeDone => _server is not null;

    /// <summary>True after a v0 handshake, until the exchange completes: the next frame is a raw token.</summary>
    public bool AwaitingRawToken { get; private set; }

    /// <summary>The authenticated principal, as Kafka names it (User:alice).</summary>
    public string? Principal { get; private set; }

    public string? Mechanism => _server?.Mechanism;

    public bool IsEnabled(string mechanism) => security.Mechanisms.Contains(mechanism);

    public void BeginHandshake(string mechanism, short version)
    {
        _server = createServer(mechanism);
        AwaitingRawToken = version == 0;
    }

    /// <summary>One client token in, the server's token out; throws <see cref="SaslAuthenticationException"/> on failure.</summary>
    public byte[] Evaluate(ReadOnlySpan<byte> token)
    {
        var server = _server ?? throw new InvalidOperationException("no SASL handshake yet");
        var reply = server.EvaluateResponse(token);
        if (server.IsComplete)
        {
            IsAuthenticated = true;
            AwaitingRawToken = false;
            Principal = "User:" + server.AuthorizationId;
        }
        return reply;
    }
}
