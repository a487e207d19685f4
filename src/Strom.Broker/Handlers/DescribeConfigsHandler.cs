using System.Globalization;
using Strom.Broker.Metadata;
using Strom.Broker.Network;
using Strom.Broker.Options;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DescribeConfigs (32): every config of a TOPIC (2) or BROKER (4) resource, not only the
/// overrides, each with value, read-only flag, source and sensitivity (see
/// <see cref="ConfigDescriber"/>), synonyms when asked (v1+) and the value type (v3+).
/// ConfigurationKeys filters (null or empty: all). A BROKER name must be this node's id; the
/// empty name means the cluster-wide dynamic defaults, of which Strom has none. BROKER_LOGGER
/// (8) lists no loggers: levels are not exposed. v0 has no source field; IsDefault stands in
/// for it (its client reads a non-default broker entry as a static broker config).
/// </summary>
public sealed class DescribeConfigsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 4;

    public DescribeConfigsResponse Handle(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = Describe(resource, request.IncludeSynonyms);
            result.ResourceType = resource.ResourceType;
            result.ResourceName = resource.ResourceName;
            response.Results.Add(result);
        }
        return response;
    }

    private DescribeConfigsResponse.DescribeConfigsResult Describe(DescribeConfigsRequest.DescribeConfigsResource resource, bool includeSynonyms)
    {
        var name = resource.ResourceName;
        switch (resource.ResourceType)
        {
            case ConfigResources.Topic:
                if (TopicNames.Validate(name) is { } invalid)
                {
                    return Failed(ErrorCode.InvalidTopicException, invalid);
                }
                if (!broker.Topics.Registry.TryGet(name, out var topic))
                {
                    return new DescribeConfigsResponse.DescribeConfigsResult { ErrorCode = (short)ErrorCode.UnknownTopicOrPartition };
                }
                return Listed(ConfigDescriber.DescribeTopic(broker.Config, topic.Configs), resource.ConfigurationKeys, includeSynonyms);
            case ConfigResources.Broker:
                if (name.Length == 0)
                {
                    return Listed([], resource.ConfigurationKeys, includeSynonyms);
                }
                if (ParseBrokerId(name) is not { } id)
                {
                    return Failed(ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {name}");
                }
                if (id != broker.NodeId)
                {
                    return Failed(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {broker.NodeId} or empty string, but received {name}");
                }
                return Listed(ConfigDescriber.DescribeBroker(broker.Config), resource.ConfigurationKeys, includeSynonyms);
            case ConfigResources.BrokerLogger:
                if (name.Length == 0)
                {
                    return Failed(ErrorCode.InvalidRequest, "Broker id must not be empty");
                }
                if (ParseBrokerId(name) is not { } loggerNode)
                {
                    return Failed(ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {name}");
                }
                if (loggerNode != broker.NodeId)
                {
                    return Failed(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {broker.NodeId} but received {name}");
                }
                return Listed([], resource.ConfigurationKeys, includeSynonyms);
            default:
                return Failed(ErrorCode.InvalidRequest, $"Unsupported resource type: {ConfigResources.TypeName(resource.ResourceType)}");
        }
    }

    private static int? ParseBrokerId(string name) =>
        int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static DescribeConfigsResponse.DescribeConfigsResult Listed(IEnumerable<DescribedConfig> configs, List<string>? keys, bool includeSynonyms)
    {
        var result = new DescribeConfigsResponse.DescribeConfigsResult();
        foreach (var c in configs)
        {
            if (keys is { Count: > 0 } && !keys.Contains(c.Name))
            {
                continue;
            }
            var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = c.Name,
                Value = c.Value,
                ReadOnly = c.ReadOnly,
                IsDefault = c.Source == ConfigSource.DefaultConfig,
                ConfigSource = (sbyte)c.Source,
                IsSensitive = c.Sensitive,
                ConfigType = (sbyte)c.Type,
                Documentation = null,
            };
            if (includeSynonyms)
            {
                foreach (var s in c.Synonyms)
                {
                    entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = s.Name, Value = s.Value, Source = (sbyte)s.Source });
                }
            }
            result.Configs.Add(entry);
        }
        return result;
    }

    private static DescribeConfigsResponse.DescribeConfigsResult Failed(ErrorCode error, string message) => new()
    {
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
