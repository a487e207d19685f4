using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Strom.Broker.Options;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Security;

/// <summary>SSL and SASL_SSL listeners on Kestrel's TLS, keystores in every form Kafka accepts.</summary>
public sealed class TlsListenerTests : IDisposable
{
    private readonly TestCertificates _pki = TestCertificates.Create();

    public void Dispose() => _pki.Dispose();

    private Dictionary<string, string> PemConfig() => new()
    {
        ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0",
        ["ssl.keystore.type"] = "PEM",
        ["ssl.keystore.location"] = _pki.ServerPem,
    };

    [Fact]
    public async Task Pem_keystore_serves_kafka_over_tls_and_metadata_advertises_the_ssl_port()
    {
        await using var broker = await StromBroker.StartAsync(PemConfig());
        await using var connection = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SSL"), _pki.Ca);
        Assert.Equal(0, (await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)).ErrorCode);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest(), 12);
        Assert.Equal(broker.PortOf("SSL"), Assert.Single(metadata.Brokers).Port);
    }

    [Fact]
    public async Task Pkcs12_keystore_through_a_named_listener_with_per_listener_keys()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0",
            ["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,SECURE:SSL",
            ["listener.name.secure.ssl.keystore.type"] = "PKCS12",
            ["listener.name.secure.ssl.keystore.location"] = _pki.ServerP12,
            ["listener.name.secure.ssl.keystore.password"] = TestCertificates.Password,
        });
        await using var connection = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SECURE"), _pki.Ca);
        Assert.Equal(0, (await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)).ErrorCode);
    }

    [Fact]
    public async Task Inline_pem_keystore()
    {
        var pem = File.ReadAllText(_pki.ServerPem);
        var keyStart = pem.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal);
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "SSL://127.0.0.1:0",
            ["ssl.keystore.type"] = "PEM",
            ["ssl.keystore.certificate.chain"] = pem[..keyStart],
            ["ssl.keystore.key"] = pem[keyStart..],
        });
        await using var connection = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SSL"), _pki.Ca);
        Assert.Equal(0, (await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)).ErrorCode);
    }

    [Fact]
    public async Task Plaintext_client_on_the_ssl_port_and_tls_client_on_the_plaintext_port_are_closed()
    {
        await using var broker = await StromBroker.StartAsync(PemConfig());
        await using (var plain = await KafkaTestConnection.ConnectAsync(broker.PortOf("SSL")))
        {
            await plain.WriteRequestAsync(new ApiVersionsRequest(), 3);
            Assert.True(await plain.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
        }
        await Assert.ThrowsAnyAsync<Exception>(() => KafkaTestConnection.ConnectTlsAsync(broker.Port, _pki.Ca));
        // Both ports still serve.
        await using var good = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SSL"), _pki.Ca);
        Assert.Equal(0, (await good.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)).ErrorCode);
    }

    [Fact]
    public async Task Required_client_auth_needs_a_certificate_signed_by_the_truststore()
    {
        var config = PemConfig();
        config["ssl.client.auth"] = "required";
        config["ssl.truststore.type"] = "PEM";
        config["ssl.truststore.location"] = _pki.CaPem;
        await using var broker = await StromBroker.StartAsync(config);

        await using var withCertificate = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SSL"), _pki.Ca, _pki.Client);
        Assert.Equal(0, (await withCertificate.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)).ErrorCode);

        // TLS 1.3 reports a refused client certificate only on the first read.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var anonymous = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SSL"), _pki.Ca);
            await anonymous.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3);
        });
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task Sasl_ssl_authenticates_inside_tls()
    {
        var config = PemConfig();
        config["listeners"] = "SASL_SSL://127.0.0.1:0";
        config["sasl.enabled.mechanisms"] = "PLAIN";
        config["listener.name.sasl_ssl.plain.sasl.jaas.config"] = SaslListenerTests.Jaas;
        await using var broker = await StromBroker.StartAsync(config);
        await using var connection = await KafkaTestConnection.ConnectTlsAsync(broker.PortOf("SASL_SSL"), _pki.Ca);
        await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1);
        var auth = await connection.SendAsync<SaslAuthenticateResponse>(
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0admin\0admin-secret") }, 2);
        Assert.Equal(0, auth.ErrorCode);
        Assert.Single((await connection.SendAsync<MetadataResponse>(new MetadataRequest(), 12)).Brokers);
    }

    [Fact]
    public async Task Missing_or_wrong_keystore_is_a_config_error()
    {
        await Assert.ThrowsAsync<ConfigException>(() => StromBroker.StartAsync(new Dictionary<string, string> { ["listeners"] = "SSL://127.0.0.1:0" }));
        await Assert.ThrowsAsync<ConfigException>(() => StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "SSL://127.0.0.1:0",
            ["ssl.keystore.type"] = "PKCS12",
            ["ssl.keystore.location"] = _pki.ServerP12,
            ["ssl.keystore.password"] = "wrong",
        }));
    }
}
