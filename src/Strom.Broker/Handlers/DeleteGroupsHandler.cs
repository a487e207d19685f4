using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>DeleteGroups (42): deletes empty groups with their offsets; NON_EMPTY_GROUP otherwise.</summary>
public sealed class DeleteGroupsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 2;

    public DeleteGroupsResponse Handle(RequestContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (var id in request.GroupsNames)
        {
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult
            {
                GroupId = id,
                ErrorCode = (short)broker.Groups.DeleteGroup(id),
            });
        }
        return response;
    }
}
