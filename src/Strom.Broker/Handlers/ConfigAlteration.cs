using Strom.Broker.Metadata;
using Strom.Protocol;

namespace Strom.Broker.Handlers;

/// <summary>One requested config change, whichever API carried it (op: SET 0, DELETE 1, APPEND 2, SUBTRACT 3).</summary>
public readonly record struct ConfigChange(string Name, sbyte Operation, string? Value);

/// <summary>
/// The path AlterConfigs and IncrementalAlterConfigs share, in Kafka's order: the request-level
/// checks the broker makes (duplicate keys, null values, the resource type and a BROKER name),
/// then the topic's name, then the new override set is computed, validated and stored.
/// </summary>
public static class ConfigAlteration
{
    public const sbyte Set = 0;
    public const sbyte Delete = 1;
    public const sbyte Append = 2;
    public const sbyte Subtract = 3;

    /// <summary>
    /// Applies <paramref name="changes"/> to one resource. <paramref name="incremental"/> selects
    /// IncrementalAlterConfigs semantics (edit the overrides) over AlterConfigs' (replace them).
    /// </summary>
    public static (ErrorCode Error, string? Message) Apply(KafkaBroker broker, sbyte resourceType, string resourceName,
        IReadOnlyList<ConfigChange> changes, bool incremental, bool validateOnly)
    {
        if (changes.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != changes.Count)
        {
            return (ErrorCode.InvalidRequest, "Error due to duplicate config keys");
        }
        var nullUpdates = changes.Where(c => c.Value is null && !(incremental && c.Operation == Delete)).Select(c => c.Name).ToList();
        if (nullUpdates.Count > 0)
        {
            return (ErrorCode.InvalidRequest, $"Null value not supported for : {string.Join(", ", nullUpdates)}");
        }
        switch (resourceType)
        {
            case ConfigResources.Broker:
                if (ConfigResources.CheckBrokerName(resourceName, broker.NodeId) is { } badName)
                {
                    return (ErrorCode.InvalidRequest, badName);
                }
                if (incremental && UnknownOperation(changes) is { } unknownOp)
                {
                    return (ErrorCode.InvalidRequest, unknownOp);
                }
                return changes.Count == 0
                    ? (ErrorCode.None, null)
                    : (ErrorCode.InvalidRequest, ConfigResources.BrokerChangeRefusal(changes.Select(c => c.Name)));
            case ConfigResources.Topic:
                return AlterTopic(broker, resourceName, changes, incremental, validateOnly);
            case ConfigResources.BrokerLogger when incremental:
                return (ErrorCode.InvalidRequest, "This broker does not support changing logger levels at runtime.");
            default:
                return (ErrorCode.InvalidRequest, $"Unknown resource type {resourceType}");
        }
    }

    private static (ErrorCode, string?) AlterTopic(KafkaBroker broker, string name, IReadOnlyList<ConfigChange> changes, bool incremental, bool validateOnly)
    {
        if (name.Length == 0)
        {
            return (ErrorCode.InvalidRequest, "Default topic resources are not allowed.");
        }
        if (TopicNames.Validate(name) is { } invalid)
        {
            return (ErrorCode.InvalidTopicException, invalid);
        }
        if (incremental && UnknownOperation(changes) is { } unknownOp)
        {
            return (ErrorCode.InvalidRequest, unknownOp);
        }
        var result = broker.Topics.AlterConfigs(name, current => incremental ? Edit(current, changes) : Replace(changes), validateOnly);
        return (result.Error, result.Message);
    }

    private static string? UnknownOperation(IReadOnlyList<ConfigChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Operation is < Set or > Subtract)
            {
                return $"Unknown operations type {change.Operation}";
            }
        }
        return null;
    }

    private static (Dictionary<string, string>?, string?) Replace(IReadOnlyList<ConfigChange> changes) =>
        (changes.ToDictionary(c => c.Name, c => c.Value!, StringComparer.Ordinal), null);

    private static (Dictionary<string, string>?, string?) Edit(Dictionary<string, string> overrides, IReadOnlyList<ConfigChange> changes)
    {
        foreach (var change in changes)
        {
            switch (change.Operation)
            {
                case Set:
                    overrides[change.Name] = change.Value!;
                    break;
                case Delete:
                    overrides.Remove(change.Name);
                    break;
                default:
                    var def = Options.ConfigCatalog.FindTopic(change.Name);
                    if (def?.Type != Options.ConfigType.List)
                    {
                        var op = change.Operation == Append ? "APPEND" : "SUBTRACT";
                        return (null, $"Can't {op} to key {change.Name} because its type is not LIST.");
                    }
                    var current = overrides.TryGetValue(change.Name, out var own) ? own : def.Default;
                    var parts = (current ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
                    foreach (var item in change.Value!.Split(','))
                    {
                        if (change.Operation == Append && !parts.Contains(item))
                        {
                            parts.Add(item);
                        }
                        else if (change.Operation == Subtract)
                        {
                            parts.Remove(item);
                        }
                    }
                    overrides[change.Name] = string.Join(",", parts);
                    break;
            }
        }
        return (overrides, null);
    }
}
