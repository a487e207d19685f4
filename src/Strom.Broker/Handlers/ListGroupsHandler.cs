using Strom.Broker.Groups;
using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>ListGroups (16): every group; v4+ filters by state (KIP-518), v5+ by type (only "classic" exists here).</summary>
public sealed class ListGroupsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 5;
    public const string ClassicGroupType = "classic";

    public ListGroupsResponse Handle(RequestContext context, ListGroupsRequest request)
    {
        var version = context.ApiVersion;
        var response = new ListGroupsResponse();
        if (version >= 5 && request.TypesFilter is { Count: > 0 } types
            && !types.Any(t => string.Equals(t, ClassicGroupType, StringComparison.OrdinalIgnoreCase)))
        {
            return response;
        }
        foreach (var g in broker.Groups.ListGroups(version >= 4 ? request.StatesFilter : null))
        {
            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = g.GroupId,
                ProtocolType = g.ProtocolType,
                GroupState = GroupStates.Name(g.State),
                GroupType = ClassicGroupType,
            });
        }
        return response;
    }
}
