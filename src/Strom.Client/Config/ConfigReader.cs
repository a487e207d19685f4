using System.Globalization;

namespace Strom.Client.Config;

/// <summary>A config key with a value it cannot take, or a required key that is missing.</summary>
public sealed class KafkaConfigException(string message) : Exception(message);

/// <summary>Reads typed values from a dictionary of Kafka config keys, with one error text for bad values.</summary>
internal sealed class ConfigReader(IReadOnlyDictionary<string, string> values)
{
    public string? String(string key) => values.TryGetValue(key, out var v) ? v.Trim() : null;

    public string String(string key, string fallback) => String(key) ?? fallback;

    public int Int(string key, int fallback, int min = int.MinValue)
    {
        if (String(key) is not { } text)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new KafkaConfigException($"{key} must be an integer >= {min}, got '{text}'");
        }
        return value;
    }

    public bool Bool(string key, bool fallback) => String(key) switch
    {
        null => fallback,
        var t when t.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var t when t.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var t => throw new KafkaConfigException($"{key} must be true or false, got '{t}'"),
    };

    public T Enum<T>(string key, T fallback, Func<string, T?> parse)
        where T : struct
    {
        if (String(key) is not { } text)
        {
            return fallback;
        }
        return parse(text.ToLowerInvariant()) ?? throw new KafkaConfigException($"{key} has no value '{text}'");
    }
}
