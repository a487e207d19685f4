using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs (44): edits a TOPIC resource's overrides key by key. SET (0) sets,
/// DELETE (1) returns a key to its default, APPEND (2) and SUBTRACT (3) add or remove items of
/// a LIST config (starting from the default when there is no override; other types are
/// INVALID_CONFIG). Errors as in AlterConfigs; the change applies to the partitions at once.
/// </summary>
public sealed class IncrementalAlterConfigsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 1;

    public IncrementalAlterConfigsResponse Handle(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        var repeated = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName))
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var resource in request.Resources)
        {
            var (error, message) = repeated.Contains((resource.ResourceType, resource.ResourceName))
                ? (ErrorCode.InvalidRequest, "Each resource must appear at most once.")
                : ConfigAlteration.Apply(broker, resource.ResourceType, resource.ResourceName,
                    resource.Configs.Select(c => new ConfigChange(c.Name, c.ConfigOperation, c.Value)).ToList(),
                    incremental: true, request.ValidateOnly);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)error,
                ErrorMessage = message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return response;
    }
}
