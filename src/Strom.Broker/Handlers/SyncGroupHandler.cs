using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// SyncGroup (14): the leader delivers every member's assignment, followers wait for theirs.
/// v3+ group.instance.id, v5+ protocol type and name (checked against the group's).
/// </summary>
public sealed class SyncGroupHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 5;

    public async ValueTask<SyncGroupResponse> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        if (context.ApiVersion < 5)
        {
            request.ProtocolType = null;
            request.ProtocolName = null;
        }
        return await broker.Groups.SyncGroupAsync(request).WaitAsync(context.ConnectionClosed).ConfigureAwait(false);
    }
}
