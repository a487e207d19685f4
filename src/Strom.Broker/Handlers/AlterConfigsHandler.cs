using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// AlterConfigs (33), the legacy form: a TOPIC resource's configs REPLACE its whole override
/// set (keys left out return to their defaults). Null values, duplicate keys and a resource
/// named twice are INVALID_REQUEST; unknown keys and bad values INVALID_CONFIG; an unknown
/// topic UNKNOWN_TOPIC_OR_PARTITION. Broker configs are static here: a change is refused with
/// INVALID_REQUEST, as Kafka refuses a config it cannot update dynamically. BROKER_LOGGER is
/// not accepted by this API in Kafka either.
/// </summary>
public sealed class AlterConfigsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 2;

    public AlterConfigsResponse Handle(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        var repeated = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName))
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var resource in request.Resources)
        {
            var (error, message) = repeated.Contains((resource.ResourceType, resource.ResourceName))
                ? (ErrorCode.InvalidRequest, "Each resource must appear at most once.")
                : ConfigAlteration.Apply(broker, resource.ResourceType, resource.ResourceName,
                    resource.Configs.Select(c => new ConfigChange(c.Name, ConfigAlteration.Set, c.Value)).ToList(),
                    incremental: false, request.ValidateOnly);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
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
