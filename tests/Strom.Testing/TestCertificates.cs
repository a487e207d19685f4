using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Strom.Testing;

/// <summary>
/// A throwaway PKI for TLS tests: a CA, a server certificate for localhost and 127.0.0.1 and a
/// client certificate, both signed by the CA, written as PEM and PKCS12 files into a directory.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string Password = "test-secret";

    private TestCertificates(string directory)
    {
        Directory = directory;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Strom Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        Ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        Server = Issue("CN=localhost", serverAuth: true, now);
        Client = Issue("CN=strom-test-client", serverAuth: false, now);

        File.WriteAllText(CaPem, Ca.ExportCertificatePem());
        File.WriteAllText(ServerPem, Server.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem() + "\n" + Server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(ServerP12, Server.Export(X509ContentType.Pkcs12, Password));
        File.WriteAllText(ClientCertPem, Client.ExportCertificatePem());
        File.WriteAllText(ClientKeyPem, Client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    public string Directory { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }
    public X509Certificate2 Client { get; }
    public string CaPem => Path.Combine(Directory, "ca.pem");
    /// <summary>Server certificate, then the CA, then the unencrypted PKCS#8 key.</summary>
    public string ServerPem => Path.Combine(Directory, "server.pem");
    public string ServerP12 => Path.Combine(Directory, "server.p12");
    public string ClientCertPem => Path.Combine(Directory, "client-cert.pem");
    public string ClientKeyPem => Path.Combine(Directory, "client-key.pem");

    public static TestCertificates Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "strom-pki-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        return new TestCertificates(directory);
    }

    private X509Certificate2 Issue(string subject, bool serverAuth, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Ca, now.AddDays(-1), now.AddDays(29), serial);
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
