using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DescribeGroups (15): state, protocol and members; member metadata and assignments (opaque
/// bytes, decoded by tools) only while Stable. v3+ may ask for the authorized operations.
/// </summary>
public sealed class DescribeGroupsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 5;

    /// <summary>READ (3), DELETE (6) and DESCRIBE (8): what a group resource allows, with no authorizer.</summary>
    public const int GroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

    public DescribeGroupsResponse Handle(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var id in request.Groups)
        {
            var described = broker.Groups.DescribeGroup(id);
            if (context.ApiVersion >= 3 && request.IncludeAuthorizedOperations)
            {
                described.AuthorizedOperations = GroupOperations;
            }
            response.Groups.Add(described);
        }
        return response;
    }
}
