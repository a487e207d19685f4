using System.Globalization;
using Strom.Broker.Options;

namespace Strom.Broker.Handlers;

/// <summary>
/// What DescribeConfigs, AlterConfigs and IncrementalAlterConfigs share: Kafka's resource type
/// numbers and the checks on a BROKER resource's name.
/// </summary>
public static class ConfigResources
{
    public const sbyte Topic = 2;
    public const sbyte Broker = 4;
    public const sbyte BrokerLogger = 8;

    /// <summary>Kafka's name for a resource type number, as its error messages spell it.</summary>
    public static string TypeName(sbyte type) => type switch
    {
        0 => "UNKNOWN",
        Topic => "TOPIC",
        Broker => "BROKER",
        BrokerLogger => "BROKER_LOGGER",
        16 => "CLIENT_METRICS",
        32 => "GROUP",
        _ => "UNKNOWN",
    };

    /// <summary>For a change, a non-empty BROKER name must be this node's id; returns the error message otherwise.</summary>
    public static string? CheckBrokerName(string name, int nodeId)
    {
        if (name.Length == 0)
        {
            return null;
        }
        if (!int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return $"Node id must be an integer, but it is: {name}";
        }
        return id == nodeId ? null : $"Unexpected broker id, expected {nodeId}, but received {name}";
    }

    /// <summary>
    /// A change to broker configs: Strom reads them once at start, so every change is refused the
    /// way Kafka refuses a static config (INVALID_REQUEST), naming the keys.
    /// </summary>
    public static string BrokerChangeRefusal(IEnumerable<string> keys)
    {
        var list = keys.Distinct(StringComparer.Ordinal).ToList();
        var readOnly = list.Where(k => ConfigCatalog.FindBroker(k) is not { ReadOnly: false }).ToList();
        var dynamic = list.Except(readOnly, StringComparer.Ordinal).ToList();
        if (dynamic.Count == 0)
        {
            return $"Cannot update these configs dynamically: Set({string.Join(", ", readOnly)})";
        }
        return $"Cannot update these configs dynamically: Set({string.Join(", ", list)}); this broker does not support dynamic broker configs: "
            + "set them in server.properties or with --set and restart";
    }
}
