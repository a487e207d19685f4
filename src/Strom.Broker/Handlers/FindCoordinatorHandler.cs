using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// FindCoordinator (10): this node coordinates every group (key type 0) and transactional id
/// (key type 1). v0-v3 ask for one key, v4+ for a batch (KIP-699). Finding a group coordinator
/// creates __consumer_offsets, as in Kafka. Share groups (type 2) are not served.
/// </summary>
public sealed class FindCoordinatorHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 6;
    public const sbyte GroupKeyType = 0;
    public const sbyte TransactionKeyType = 1;

    public FindCoordinatorResponse Handle(RequestContext context, FindCoordinatorRequest request)
    {
        var version = context.ApiVersion;
        var (host, port) = broker.AdvertisedEndpoint(context);
        var keyType = version == 0 ? GroupKeyType : request.KeyType;
        var response = new FindCoordinatorResponse();
        if (version >= 4)
        {
            foreach (var key in request.CoordinatorKeys)
            {
                var (error, message) = Resolve(keyType, key);
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                    NodeId = error == ErrorCode.None ? broker.NodeId : -1,
                    Host = error == ErrorCode.None ? host : "",
                    Port = error == ErrorCode.None ? port : -1,
                });
            }
            return response;
        }
        var (e, m) = Resolve(keyType, request.Key);
        response.ErrorCode = (short)e;
        response.ErrorMessage = m;
        response.NodeId = e == ErrorCode.None ? broker.NodeId : -1;
        response.Host = e == ErrorCode.None ? host : "";
        response.Port = e == ErrorCode.None ? port : -1;
        return response;
    }

    private (ErrorCode Error, string? Message) Resolve(sbyte keyType, string? key)
    {
        switch (keyType)
        {
            case GroupKeyType:
                return broker.Groups.Store.EnsureCreated() == ErrorCode.None
                    ? (ErrorCode.None, null)
                    : (ErrorCode.CoordinatorNotAvailable, "The coordinator is not available.");
            case TransactionKeyType:
                return string.IsNullOrEmpty(key) ? (ErrorCode.InvalidRequest, "Transactional id must not be empty") : (ErrorCode.None, null);
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported key type {keyType}");
        }
    }
}
