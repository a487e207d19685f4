using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>Heartbeat (12): keeps a member's session; tells it when to rejoin. v3+ group.instance.id.</summary>
public sealed class HeartbeatHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 4;

    public HeartbeatResponse Handle(RequestContext context, HeartbeatRequest request) => new()
    {
        ErrorCode = (short)broker.Groups.Heartbeat(request.GroupId, request.MemberId,
            context.ApiVersion >= 3 ? request.GroupInstanceId : null, request.GenerationId),
    };
}
