using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Network;

/// <summary>
/// Which version of each API to speak to one broker: the highest version both this client and
/// the broker support (the broker's range comes from its ApiVersions response).
/// </summary>
public sealed class ApiVersionTable
{
    /// <summary>
    /// This client's own floors and ceilings where they differ from the generated range: record
    /// batches v2 need Produce 3 and Fetch 4; ListOffsets v0 answers in a different shape.
    /// </summary>
    private static readonly Dictionary<ApiKey, (short Min, short Max)> ClientRanges = new()
    {
        [ApiKey.Produce] = (3, ProduceRequest.HighestVersion),
        [ApiKey.Fetch] = (4, FetchRequest.HighestVersion),
        [ApiKey.ListOffsets] = (1, ListOffsetsRequest.HighestVersion),
        [ApiKey.Metadata] = (1, MetadataRequest.HighestVersion),
    };

    private readonly Dictionary<ApiKey, (short Min, short Max)> _broker;

    public ApiVersionTable(IEnumerable<ApiVersionsResponse.ApiVersion> brokerVersions)
    {
        _broker = brokerVersions
            .Where(v => Enum.IsDefined((ApiKey)v.ApiKey))
            .GroupBy(v => (ApiKey)v.ApiKey)
            .ToDictionary(g => g.Key, g => (g.First().MinVersion, g.First().MaxVersion));
    }

    /// <summary>The range this client can speak for <paramref name="key"/>.</summary>
    public static (short Min, short Max) ClientRange(ApiKey key) =>
        ClientRanges.TryGetValue(key, out var range) ? range : (ApiMessages.LowestVersion(key), ApiMessages.HighestVersion(key));

    /// <summary>The broker's advertised range, or null when it does not serve the key.</summary>
    public (short Min, short Max)? BrokerRange(ApiKey key) => _broker.TryGetValue(key, out var range) ? range : null;

    /// <summary>True when both sides share at least one version of <paramref name="key"/>.</summary>
    public bool Supports(ApiKey key) => TryPick(key, out _);

    public bool TryPick(ApiKey key, out short version)
    {
        version = -1;
        if (!_broker.TryGetValue(key, out var broker))
        {
            return false;
        }
        var client = ClientRange(key);
        var max = Math.Min(client.Max, broker.Max);
        if (max < Math.Max(client.Min, broker.Min))
        {
            return false;
        }
        version = (short)max;
        return true;
    }

    /// <summary>The version to use; throws UNSUPPORTED_VERSION when the ranges do not meet.</summary>
    public short Pick(ApiKey key)
    {
        if (!TryPick(key, out var version))
        {
            var broker = BrokerRange(key) is { } r ? $"{r.Min}-{r.Max}" : "none";
            var client = ClientRange(key);
            throw new KafkaException(ErrorCode.UnsupportedVersion,
                $"the broker does not support {key} (broker versions {broker}, client versions {client.Min}-{client.Max})");
        }
        return version;
    }
}
