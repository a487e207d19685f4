using System.Net;
using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// JoinGroup (11): parks the request until the group's join phase completes (the connection
/// serves nothing else meanwhile, as in Kafka). v4+ first answers MEMBER_ID_REQUIRED (KIP-394),
/// v5+ carries group.instance.id (KIP-345), v7+ the protocol type and name, v9 skip-assignment.
/// </summary>
public sealed class JoinGroupHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 9;

    public async ValueTask<JoinGroupResponse> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        var version = context.ApiVersion;
        var response = await broker.Groups
            .JoinGroupAsync(request, version, context.ClientId ?? "", ClientHost(context))
            .WaitAsync(context.ConnectionClosed).ConfigureAwait(false);
        if (version < 7)
        {
            // Not nullable before v7.
            response.ProtocolName ??= "";
        }
        return response;
    }

    /// <summary>The client's address as Kafka reports it ("/127.0.0.1").</summary>
    public static string ClientHost(RequestContext context) =>
        context.RemoteEndPoint is IPEndPoint ip ? "/" + ip.Address : context.RemoteEndPoint?.ToString() ?? "";
}
