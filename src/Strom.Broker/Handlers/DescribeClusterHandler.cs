using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DescribeCluster (60): this node as the only broker and as the controller id (a KRaft broker
/// reports a live broker there), with the endpoint of the listener the client used. v1 asks
/// for an endpoint type: brokers (1) are served; controllers (2) are MISMATCHED_ENDPOINT_TYPE
/// on a broker listener, anything else UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in v0).
/// Without an authorizer every cluster operation is allowed, as Kafka reports it.
/// </summary>
public sealed class DescribeClusterHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 1;
    public const sbyte BrokerEndpoints = 1;
    public const sbyte ControllerEndpoints = 2;

    /// <summary>
    /// CREATE (5), ALTER (7), DESCRIBE (8), CLUSTER_ACTION (9), DESCRIBE_CONFIGS (10),
    /// ALTER_CONFIGS (11), IDEMPOTENT_WRITE (12): the operations Kafka defines on the cluster.
    /// </summary>
    public const int AllClusterOperations = 1 << 5 | 1 << 7 | 1 << 8 | 1 << 9 | 1 << 10 | 1 << 11 | 1 << 12;

    public DescribeClusterResponse Handle(RequestContext context, DescribeClusterRequest request)
    {
        var version = context.ApiVersion;
        var type = request.EndpointType;
        if (type is not (BrokerEndpoints or ControllerEndpoints))
        {
            return Failed(type, version == 0 ? ErrorCode.InvalidRequest : ErrorCode.UnsupportedEndpointType, $"Unsupported endpoint type {type}");
        }
        if (type == ControllerEndpoints)
        {
            return Failed(type, version == 0 ? ErrorCode.InvalidRequest : ErrorCode.MismatchedEndpointType,
                "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER");
        }
        var (host, port) = broker.AdvertisedEndpoint(context);
        var response = new DescribeClusterResponse
        {
            EndpointType = type,
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
            ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations ? AllClusterOperations : int.MinValue,
        };
        response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = broker.NodeId, Host = host, Port = port, Rack = null });
        return response;
    }

    private static DescribeClusterResponse Failed(sbyte type, ErrorCode error, string message) => new()
    {
        EndpointType = type,
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
