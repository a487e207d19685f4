using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// SaslHandshake (17): picks the mechanism. v0 means the tokens that follow travel raw (no
/// Kafka framing), v1 that they come in SaslAuthenticate (KIP-152). On a listener without
/// SASL, or once authenticated, the answer is ILLEGAL_SASL_STATE; an unknown mechanism gets
/// UNSUPPORTED_SASL_MECHANISM with the enabled list, and the connection is closed.
/// </summary>
public sealed class SaslHandshakeHandler
{
    public const short MinVersion = 0;
    public const short MaxVersion = 1;

    public SaslHandshakeResponse Handle(RequestContext context, SaslHandshakeRequest request)
    {
        var response = new SaslHandshakeResponse();
        if (context.Sasl is not { } session || session.HandshakeDone)
        {
            response.ErrorCode = (short)ErrorCode.IllegalSaslState;
            response.Mechanisms.AddRange(context.Sasl?.Security.Mechanisms ?? []);
            return response;
        }
        response.Mechanisms.AddRange(session.Security.Mechanisms);
        if (!session.IsEnabled(request.Mechanism))
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedSaslMechanism;
            context.CloseAfterResponse = $"SASL mechanism {request.Mechanism} is not enabled on listener {context.ListenerName}";
            return response;
        }
        session.BeginHandshake(request.Mechanism, context.ApiVersion);
        return response;
    }
}
