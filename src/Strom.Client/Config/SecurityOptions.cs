namespace Strom.Client.Config;

/// <summary><c>security.protocol</c>: how the bytes travel and whether the client logs in.</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

/// <summary>
/// TLS and SASL settings under the Java client's and librdkafka's key names. PEM files only:
/// the CA bundle to trust, and an optional client certificate and (possibly encrypted) key.
/// </summary>
public sealed record SecurityOptions
{
    /// <summary><c>security.protocol</c> (default: PLAINTEXT).</summary>
    public SecurityProtocol Protocol { get; init; } = SecurityProtocol.Plaintext;

    /// <summary><c>ssl.ca.location</c>: PEM CA certificates to trust; null uses the system store.</summary>
    public string? SslCaLocation { get; init; }

    /// <summary><c>ssl.endpoint.identification.algorithm</c>: https (default) checks the broker's host name; none skips it.</summary>
    public bool SslVerifyHostname { get; init; } = true;

    /// <summary><c>ssl.certificate.location</c>: PEM client certificate for mutual TLS.</summary>
    public string? SslCertificateLocation { get; init; }

    /// <summary><c>ssl.key.location</c>: PEM private key of the client certificate.</summary>
    public string? SslKeyLocation { get; init; }

    /// <summary><c>ssl.key.password</c>: password of an encrypted <see cref="SslKeyLocation"/>.</summary>
    public string? SslKeyPassword { get; init; }

    /// <summary><c>sasl.mechanism</c> (or librdkafka's <c>sasl.mechanisms</c>): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (default: PLAIN).</summary>
    public string SaslMechanism { get; init; } = "PLAIN";

    /// <summary><c>sasl.username</c>.</summary>
    public string? SaslUsername { get; init; }

    /// <summary><c>sasl.password</c>.</summary>
    public string? SaslPassword { get; init; }

    public bool UsesTls => Protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    public bool UsesSasl => Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;

    internal static SecurityOptions Read(ConfigReader r)
    {
        var options = new SecurityOptions
        {
            Protocol = r.Enum("security.protocol", SecurityProtocol.Plaintext, text => text switch
            {
                "plaintext" => SecurityProtocol.Plaintext,
                "ssl" => SecurityProtocol.Ssl,
                "sasl_plaintext" => SecurityProtocol.SaslPlaintext,
                "sasl_ssl" => SecurityProtocol.SaslSsl,
                _ => (SecurityProtocol?)null,
            }),
            SslCaLocation = Blank(r.String("ssl.ca.location")),
            SslVerifyHostname = r.Enum("ssl.endpoint.identification.algorithm", true, text => text switch
            {
                "https" => true,
                "none" or "" => false,
                _ => (bool?)null,
            }),
            SslCertificateLocation = Blank(r.String("ssl.certificate.location")),
            SslKeyLocation = Blank(r.String("ssl.key.location")),
            SslKeyPassword = r.String("ssl.key.password"),
            SaslMechanism = (r.String("sasl.mechanism") ?? r.String("sasl.mechanisms") ?? "PLAIN").ToUpperInvariant(),
            SaslUsername = r.String("sasl.username"),
            SaslPassword = r.String("sasl.password"),
        };
        if (options.UsesSasl)
        {
            if (options.SaslMechanism is not ("PLAIN" or "SCRAM-SHA-256" or "SCRAM-SHA-512"))
            {
                throw new KafkaConfigException($"sasl.mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got '{options.SaslMechanism}'");
            }
            if (options.SaslUsername is null || options.SaslPassword is null)
            {
                throw new KafkaConfigException($"security.protocol {options.Protocol} needs sasl.username and sasl.password");
            }
        }
        if ((options.SslCertificateLocation is null) != (options.SslKeyLocation is null))
        {
            throw new KafkaConfigException("ssl.certificate.location and ssl.key.location go together");
        }
        return options;
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
