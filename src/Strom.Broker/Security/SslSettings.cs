using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Strom.Broker.Options;

namespace Strom.Broker.Security;

/// <summary>Kafka's ssl.client.auth.</summary>
public enum SslClientAuth
{
    None,
    Requested,
    Required,
}

/// <summary>
/// TLS material for one listener, loaded at startup from Kafka's keys: the server certificate
/// and chain from ssl.keystore.* (PKCS12, or PEM as a file or inline), client authentication
/// from ssl.client.auth and the CAs that sign client certificates from ssl.truststore.*.
/// </summary>
public sealed record SslSettings(X509Certificate2 Certificate, X509Certificate2Collection Chain, SslClientAuth ClientAuth,
    X509Certificate2Collection TrustedAuthorities, SslProtocols Protocols)
{
    public static SslSettings Load(BrokerConfig config, string listenerName, SecurityProtocol protocol)
    {
        string? Value(string key) => ListenerSecurity.ListenerValue(config, listenerName, key);
        var (certificate, chain) = LoadKeystore(listenerName, Value);
        // As in Kafka, a SASL_SSL listener asks for client certificates only when its own prefixed key says so.
        var clientAuthText = protocol == SecurityProtocol.SaslSsl
            ? config.Explicit.GetValueOrDefault($"listener.name.{listenerName.ToLowerInvariant()}.ssl.client.auth")
            : Value("ssl.client.auth");
        var clientAuth = (clientAuthText ?? "none").ToLowerInvariant() switch
        {
            "none" => SslClientAuth.None,
            "requested" => SslClientAuth.Requested,
            "required" => SslClientAuth.Required,
            var other => throw new ConfigException($"Listener {listenerName}: ssl.client.auth must be none, requested or required, not '{other}'"),
        };
        var trusted = LoadTruststore(listenerName, Value);
        if (clientAuth != SslClientAuth.None && trusted.Count == 0)
        {
            throw new ConfigException($"Listener {listenerName}: ssl.client.auth={clientAuth.ToString().ToLowerInvariant()} needs ssl.truststore.location (or ssl.truststore.certificates)");
        }
        var protocols = SslProtocols.None;
        foreach (var name in (Value("ssl.enabled.protocols") ?? "TLSv1.2,TLSv1.3").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            protocols |= name switch
            {
                "TLSv1.2" => SslProtocols.Tls12,
                "TLSv1.3" => SslProtocols.Tls13,
                _ => throw new ConfigException($"Listener {listenerName}: ssl.enabled.protocols: {name} is not supported (TLSv1.2, TLSv1.3)"),
            };
        }
        return new SslSettings(certificate, chain, clientAuth, trusted, protocols);
    }

    /// <summary>Checks a client certificate against the truststore only (not the machine's roots).</summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedAuthorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadKeystore(string listenerName, Func<string, string?> value)
    {
        var type = (value("ssl.keystore.type") ?? "JKS").ToUpperInvariant();
        var location = value("ssl.keystore.location");
        var keyPassword = value("ssl.key.password");
        try
        {
            if (type == "PEM")
            {
                var chainPem = value("ssl.keystore.certificate.chain");
                var keyPem = value("ssl.keystore.key");
                if (location is null && (chainPem is null || keyPem is null))
                {
                    throw new ConfigException($"Listener {listenerName}: ssl.keystore.type=PEM needs ssl.keystore.location or both ssl.keystore.certificate.chain and ssl.keystore.key");
                }
                if (location is not null)
                {
                    var text = File.ReadAllText(location);
                    chainPem = text;
                    keyPem = text;
                }
                var leaf = string.IsNullOrEmpty(keyPassword)
                    ? X509Certificate2.CreateFromPem(chainPem, keyPem)
                    : X509Certificate2.CreateFromEncryptedPem(chainPem, keyPem, keyPassword);
                var all = new X509Certificate2Collection();
                all.ImportFromPem(chainPem);
                return (leaf, WithoutLeaf(all, leaf));
            }
            if (location is null)
            {
                throw new ConfigException($"Listener {listenerName}: a TLS listener needs ssl.keystore.location");
            }
            if (type is not ("PKCS12" or "JKS"))
            {
                throw new ConfigException($"Listener {listenerName}: ssl.keystore.type {type} is not supported (PKCS12, PEM)");
            }
            // Modern keytool writes PKCS12 even for a .jks name; a real JKS file fails below with a hint.
            var password = value("ssl.keystore.password");
            var certificates = X509CertificateLoader.LoadPkcs12CollectionFromFile(location, password ?? keyPassword);
            var withKey = certificates.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new ConfigException($"Listener {listenerName}: keystore {location} holds no private key");
            return (withKey, WithoutLeaf(certificates, withKey));
        }
        catch (CryptographicException ex)
        {
            throw new ConfigException($"Listener {listenerName}: cannot load the keystore ({type} {location ?? "inline"}): {ex.Message}" +
                (type == "JKS" ? " (JKS keystores are not supported: convert with keytool -importkeystore -deststoretype PKCS12)" : ""));
        }
        catch (IOException ex)
        {
            throw new ConfigException($"Listener {listenerName}: cannot read ssl.keystore.location: {ex.Message}");
        }
    }

    private static X509Certificate2Collection LoadTruststore(string listenerName, Func<string, string?> value)
    {
        var result = new X509Certificate2Collection();
        var inline = value("ssl.truststore.certificates");
        var location = value("ssl.truststore.location");
        try
        {
            if (inline is not null)
            {
                result.ImportFromPem(inline);
            }
            if (location is not null)
            {
                var type = (value("ssl.truststore.type") ?? "JKS").ToUpperInvariant();
                var text = File.ReadAllText(location);
                if (type == "PEM" || text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                {
                    result.ImportFromPem(text);
                }
                else
                {
                    result.AddRange(X509CertificateLoader.LoadPkcs12CollectionFromFile(location, value("ssl.truststore.password")));
                }
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            throw new ConfigException($"Listener {listenerName}: cannot load the truststore {location ?? "inline"}: {ex.Message}");
        }
        return result;
    }

    private static X509Certificate2Collection WithoutLeaf(X509Certificate2Collection all, X509Certificate2 leaf)
    {
        var chain = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                chain.Add(certificate);
            }
        }
        return chain;
    }
}
