using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>ApiVersions (18): advertises exactly the keys and versions the dispatcher serves.</summary>
public sealed class ApiVersionsHandler(RequestDispatcher dispatcher)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 4;

    public ApiVersionsResponse Handle(RequestContext context, ApiVersionsRequest request) => Build(ErrorCode.None);

    /// <summary>KIP-511: the reply to a version we do not know, sent in v0 format.</summary>
    public ApiVersionsResponse Build(ErrorCode error)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)error };
        foreach (var (key, min, max) in dispatcher.Advertised)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)key, MinVersion = min, MaxVersion = max });
        }
        return response;
    }
}
