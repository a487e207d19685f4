using Strom.Broker.Options;

namespace Strom.Broker.Security;

/// <summary>Kafka's security protocols, the right-hand side of listener.security.protocol.map.</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

/// <summary>
/// How one listener is secured, resolved once at startup from Kafka's keys: the protocol from
/// listener.security.protocol.map, TLS material from ssl.*, SASL mechanisms from
/// sasl.enabled.mechanisms and PLAIN users from the JAAS config. Every key may be overridden
/// per listener as <c>listener.name.&lt;listener lower case&gt;.&lt;key&gt;</c>.
/// </summary>
public sealed record ListenerSecurity(string ListenerName, SecurityProtocol Protocol, IReadOnlyList<string> Mechanisms,
    IReadOnlyDictionary<string, string> PlainUsers, SslSettings? Ssl)
{
    public static readonly ListenerSecurity Plaintext = new("PLAINTEXT", SecurityProtocol.Plaintext, [], new Dictionary<string, string>(), null);

    /// <summary>The mechanisms Strom implements; GSSAPI and OAUTHBEARER are refused at startup.</summary>
    public static readonly IReadOnlyList<string> SupportedMechanisms = [PlainSaslServer.MechanismName, ScramMechanism.Sha256.Name, ScramMechanism.Sha512.Name];

    public bool UsesTls => Protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
    public bool UsesSasl => Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;

    public static ListenerSecurity Resolve(BrokerConfig config, string listenerName)
    {
        var protocol = ProtocolOf(config, listenerName);
        var mechanisms = Array.Empty<string>();
        var plainUsers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl)
        {
            mechanisms = (ListenerValue(config, listenerName, "sasl.enabled.mechanisms") ?? "")
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (mechanisms.Length == 0)
            {
                throw new ConfigException($"Listener {listenerName}: sasl.enabled.mechanisms is empty");
            }
            foreach (var mechanism in mechanisms)
            {
                if (!SupportedMechanisms.Contains(mechanism))
                {
                    throw new ConfigException($"Listener {listenerName}: SASL mechanism {mechanism} is not supported " +
                        $"(sasl.enabled.mechanisms defaults to GSSAPI, as in Kafka); set it to some of {string.Join(", ", SupportedMechanisms)}");
                }
            }
            if (mechanisms.Contains(PlainSaslServer.MechanismName))
            {
                var prefix = $"listener.name.{listenerName.ToLowerInvariant()}.";
                var jaas = config.Get(prefix + "plain.sasl.jaas.config") ?? config.Get(prefix + "sasl.jaas.config") ?? config.Get("sasl.jaas.config")
                    ?? throw new ConfigException($"Listener {listenerName}: SASL/PLAIN needs users: set {prefix}plain.sasl.jaas.config to " +
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_NAME=\"PASSWORD\" ...;");
                plainUsers = JaasLoginModule.PlainUsers(JaasLoginModule.Parse(jaas));
            }
        }
        var ssl = protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl ? SslSettings.Load(config, listenerName, protocol) : null;
        return new ListenerSecurity(listenerName, protocol, mechanisms, plainUsers, ssl);
    }

    /// <summary>
    /// listener.security.protocol.map: <c>NAME:PROTOCOL,...</c>. Names outside the map are refused,
    /// except CONTROLLER and PLAINTEXT* names, which Strom always served as plaintext.
    /// </summary>
    public static SecurityProtocol ProtocolOf(BrokerConfig config, string listenerName)
    {
        foreach (var entry in (config.Get("listener.security.protocol.map") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':');
            if (colon > 0 && entry[..colon].Trim().Equals(listenerName, StringComparison.OrdinalIgnoreCase))
            {
                return ParseProtocol(entry[(colon + 1)..].Trim())
                    ?? throw new ConfigException($"listener.security.protocol.map: unknown security protocol '{entry[(colon + 1)..]}' for {listenerName}");
            }
        }
        if (listenerName == "CONTROLLER" || listenerName.StartsWith("PLAINTEXT", StringComparison.Ordinal))
        {
            return SecurityProtocol.Plaintext;
        }
        throw new ConfigException($"Listener {listenerName} has no security protocol: add {listenerName}:<PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL> to listener.security.protocol.map");
    }

    /// <summary>A key for one listener: <c>listener.name.&lt;name&gt;.key</c> first, then the key itself (or its default).</summary>
    public static string? ListenerValue(BrokerConfig config, string listenerName, string key) =>
        config.Explicit.TryGetValue($"listener.name.{listenerName.ToLowerInvariant()}.{key}", out var value) ? value : config.Get(key);

    private static SecurityProtocol? ParseProtocol(string text) => text.ToUpperInvariant() switch
    {
        "PLAINTEXT" => SecurityProtocol.Plaintext,
        "SSL" => SecurityProtocol.Ssl,
        "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
        "SASL_SSL" => SecurityProtocol.SaslSsl,
        _ => null,
    };
}
