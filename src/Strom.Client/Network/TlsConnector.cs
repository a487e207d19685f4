using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Strom.Client.Config;
using Strom.Protocol;

namespace Strom.Client.Network;

/// <summary>
/// The client side of an SSL / SASL_SSL listener: TLS over the TCP stream before any Kafka
/// bytes. The broker's chain is checked against <c>ssl.ca.location</c> alone when it is set
/// (a custom trust root, as the Java client's truststore), else against the system store;
/// the host-name check follows <c>ssl.endpoint.identification.algorithm</c>.
/// </summary>
internal static class TlsConnector
{
    public static async Task<SslStream> AuthenticateAsync(Stream inner, string host, SecurityOptions options, CancellationToken cancellationToken)
    {
        var trust = options.SslCaLocation is { } ca ? LoadCa(ca) : null;
        var clientCertificates = new X509CertificateCollection();
        if (options.SslCertificateLocation is { } certPath && options.SslKeyLocation is { } keyPath)
        {
            clientCertificates.Add(LoadClientCertificate(certPath, keyPath, options.SslKeyPassword));
        }
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var authOptions = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = clientCertificates,
            EnabledSslProtocols = SslProtocols.None, // the system's choice: TLS 1.2 and 1.3
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                Validate(certificate, chain, errors, trust, options.SslVerifyHostname),
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(authOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new KafkaAuthenticationException(ErrorCode.UnknownServerError, $"TLS handshake with {host} failed: {ex.Message}", ex);
        }
        return ssl;
    }

    private static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors,
        X509Certificate2Collection? trust, bool verifyHostname)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }
        if (verifyHostname && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        if (trust is null)
        {
            return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(trust);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return custom.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    private static X509Certificate2Collection LoadCa(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new KafkaConfigException($"ssl.ca.location '{path}' cannot be read: {ex.Message}");
        }
        if (collection.Count == 0)
        {
            throw new KafkaConfigException($"ssl.ca.location '{path}' holds no PEM certificate");
        }
        return collection;
    }

    private static X509Certificate2 LoadClientCertificate(string certPath, string keyPath, string? password)
    {
        try
        {
            using var pem = string.IsNullOrEmpty(password)
                ? X509Certificate2.CreateFromPemFile(certPath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certPath, password, keyPath);
            // SslStream on Linux wants a key it can hand to OpenSSL: round-trip through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new KafkaConfigException($"ssl.certificate.location / ssl.key.location cannot be loaded: {ex.Message}");
        }
    }
}
