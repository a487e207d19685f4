using System.Globalization;

namespace Strom.Broker.Options;

/// <summary>The value type of a config, numbered as DescribeConfigs v3+ reports it.</summary>
public enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}

/// <summary>Where a config's value came from, numbered as DescribeConfigs v1+ reports it.</summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
}

/// <summary>
/// One config key: its type, default, valid values and, for a topic config, the broker key
/// that supplies its default (Kafka calls it the synonym: retention.ms &lt;- log.retention.ms).
/// </summary>
public sealed record ConfigDefinition(
    string Name,
    ConfigType Type,
    string? Default,
    string? BrokerSynonym = null,
    long Min = long.MinValue,
    long Max = long.MaxValue,
    string[]? ValidValues = null,
    bool ReadOnly = false,
    bool Sensitive = false)
{
    /// <summary>Checks a proposed value; returns an error message or null when valid.</summary>
    public string? Validate(string? value)
    {
        if (value is null)
        {
            return Default is null ? null : $"Config {Name} cannot be null";
        }
        switch (Type)
        {
            case ConfigType.Boolean:
                return value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase)
                    ? null : $"Invalid value {value} for configuration {Name}: Expected value to be either true or false";
            case ConfigType.Int:
            case ConfigType.Short:
            case ConfigType.Long:
                if (!long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                    || (Type == ConfigType.Int && (n < int.MinValue || n > int.MaxValue))
                    || (Type == ConfigType.Short && (n < short.MinValue || n > short.MaxValue)))
                {
                    return $"Invalid value {value} for configuration {Name}: Not a number of type {Type.ToString().ToUpperInvariant()}";
                }
                if (n < Min)
                {
                    return $"Invalid value {value} for configuration {Name}: Value must be at least {Min}";
                }
                if (n > Max)
                {
                    return $"Invalid value {value} for configuration {Name}: Value must be no more than {Max}";
                }
                return null;
            case ConfigType.Double:
                if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return $"Invalid value {value} for configuration {Name}: Not a number of type DOUBLE";
                }
                return d < Min || d > Max ? $"Invalid value {value} for configuration {Name}: Value must be in [{Min}, {Max}]" : null;
            case ConfigType.List:
                if (ValidValues is not null)
                {
                    foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (Array.IndexOf(ValidValues, item) < 0)
                        {
                            return $"Invalid value {value} for configuration {Name}: String must be one of: {string.Join(", ", ValidValues)}";
                        }
                    }
                }
                return null;
            default:
                if (ValidValues is not null && Array.IndexOf(ValidValues, value) < 0)
                {
                    return $"Invalid value {value} for configuration {Name}: String must be one of: {string.Join(", ", ValidValues)}";
                }
                return null;
        }
    }
}
