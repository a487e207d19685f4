using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// The one dispatch switch: from a parsed request to its handler. The version table here is
/// exactly what ApiVersions advertises; each handler declares its own range.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly ApiVersionsHandler _apiVersions;
    private readonly MetadataHandler _metadata;
    private readonly ProduceHandler _produce;
    private readonly FetchHandler _fetch;
    private readonly ListOffsetsHandler _listOffsets;
    private readonly Dictionary<ApiKey, (short Min, short Max)> _versions;

    public RequestDispatcher(KafkaBroker broker)
    {
        _apiVersions = new ApiVersionsHandler(this);
        _metadata = new MetadataHandler(broker);
        _produce = new ProduceHandler(broker);
        _fetch = new FetchHandler(broker);
        _listOffsets = new ListOffsetsHandler(broker);
        _versions = new Dictionary<ApiKey, (short, short)>
        {
            [ApiKey.Produce] = (ProduceHandler.MinVersion, ProduceHandler.MaxVersion),
            [ApiKey.Fetch] = (FetchHandler.MinVersion, FetchHandler.MaxVersion),
            [ApiKey.ListOffsets] = (ListOffsetsHandler.MinVersion, ListOffsetsHandler.MaxVersion),
            [ApiKey.Metadata] = (MetadataHandler.MinVersion, MetadataHandler.MaxVersion),
            [ApiKey.ApiVersions] = (ApiVersionsHandler.MinVersion, ApiVersionsHandler.MaxVersion),
        };
        Advertised = _versions.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Min, kv.Value.Max)).ToArray();
    }

    /// <summary>Every served key with its version range, in key order.</summary>
    public IReadOnlyList<(ApiKey Key, short Min, short Max)> Advertised { get; }

    public (short Min, short Max)? SupportedVersions(ApiKey key) => _versions.TryGetValue(key, out var range) ? range : null;

    public ApiVersionsResponse UnsupportedApiVersionsResponse() => _apiVersions.Build(ErrorCode.UnsupportedVersion);

    public async ValueTask<IResponseMessage?> DispatchAsync(RequestContext context, IRequestMessage request) => request switch
    {
        ProduceRequest r => _produce.Handle(context, r),
        FetchRequest r => await _fetch.HandleAsync(context, r).ConfigureAwait(false),
        ListOffsetsRequest r => _listOffsets.Handle(context, r),
        MetadataRequest r => _metadata.Handle(context, r),
        ApiVersionsRequest r => _apiVersions.Handle(context, r),
        _ => throw new ProtocolException(ErrorCode.UnsupportedVersion, $"{request.ApiKey} is not served"),
    };
}
