using Strom.Broker.Network;
using Strom.Broker.Security;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// SaslAuthenticate (36): one SASL token each way (KIP-152). A failed exchange answers
/// SASL_AUTHENTICATION_FAILED with the reason and closes the connection, as Kafka does.
/// Session lifetime is 0: Strom does not ask clients to re-authenticate (KIP-368).
/// </summary>
public sealed class SaslAuthenticateHandler
{
    public const short MinVersion = 0;
    public const short MaxVersion = 2;

    public SaslAuthenticateResponse Handle(RequestContext context, SaslAuthenticateRequest request)
    {
        var response = new SaslAuthenticateResponse { AuthBytes = [] };
        if (context.Sasl is not { HandshakeDone: true, IsAuthenticated: false, AwaitingRawToken: false } session)
        {
            response.ErrorCode = (short)ErrorCode.IllegalSaslState;
            response.ErrorMessage = "SaslAuthenticate is not expected now: send SaslHandshake v1 first, once per connection";
            context.CloseAfterResponse = response.ErrorMessage;
            return response;
        }
        try
        {
            response.AuthBytes = session.Evaluate(request.AuthBytes);
        }
        catch (SaslAuthenticationException ex)
        {
            response.ErrorCode = (short)ErrorCode.SaslAuthenticationFailed;
            response.ErrorMessage = ex.Message;
            context.CloseAfterResponse = $"{session.Mechanism} authentication failed: {ex.Message}";
        }
        return response;
    }
}
