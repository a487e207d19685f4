using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Strom.Broker.Security;
using Strom.Client.Config;
using Strom.Client.Consumer;
using Strom.Client.Network;
using Strom.Client.Producer;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Client.Tests;

/// <summary>One broker with PLAINTEXT, SSL (client certificate required), SASL_PLAINTEXT and SASL_SSL listeners.</summary>
public sealed class SecureBrokerFixture : IAsyncLifetime
{
    public const string PlainUser = "alice";
    public const string PlainPassword = "alice-secret";
    public const string ScramUser = "scram-user";
    public const string ScramPassword = "scram-secret";

    private StromBroker? _broker;

    public TestCertificates Pki { get; } = TestCertificates.Create();

    public StromBroker Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public async Task InitializeAsync()
    {
        var jaas = $"org.apache.kafka.common.security.plain.PlainLoginModule required user_{PlainUser}=\"{PlainPassword}\";";
        _broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
            ["ssl.keystore.type"] = "PEM",
            ["ssl.keystore.location"] = Pki.ServerPem,
            ["listener.name.ssl.ssl.client.auth"] = "required",
            ["ssl.truststore.type"] = "PEM",
            ["ssl.truststore.location"] = Pki.CaPem,
            ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = jaas,
            ["listener.name.sasl_ssl.plain.sasl.jaas.config"] = jaas,
        });
        await using var admin = await KafkaTestConnection.ConnectAsync(Broker.Port);
        var salt = "client-test-salt"u8.ToArray();
        var alter = await admin.SendAsync<AlterUserScramCredentialsResponse>(new AlterUserScramCredentialsRequest
        {
            Upsertions = [Upsert(ScramMechanism.Sha256, salt), Upsert(ScramMechanism.Sha512, salt)],
        }, 0);
        Assert.All(alter.Results, r => Assert.Equal(0, r.ErrorCode));
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        Pki.Dispose();
    }

    private static AlterUserScramCredentialsRequest.ScramCredentialUpsertion Upsert(ScramMechanism mechanism, byte[] salt) => new()
    {
        Name = ScramUser,
        Mechanism = mechanism.Code,
        Iterations = ScramMechanism.MinIterations,
        Salt = salt,
        SaltedPassword = mechanism.SaltedPassword(ScramPassword, salt, ScramMechanism.MinIterations),
    };
}

public sealed class SecurityTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private Dictionary<string, string> Config(string protocol, string? mechanism = null, string? password = null)
    {
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = $"127.0.0.1:{fixture.Broker.PortOf(protocol)}",
            ["security.protocol"] = protocol,
            ["request.timeout.ms"] = "10000",
        };
        if (protocol.Contains("SSL", StringComparison.Ordinal))
        {
            config["ssl.ca.location"] = fixture.Pki.CaPem;
            config["ssl.certificate.location"] = fixture.Pki.ClientCertPem;
            config["ssl.key.location"] = fixture.Pki.ClientKeyPem;
        }
        if (mechanism is not null)
        {
            var scram = mechanism.StartsWith("SCRAM", StringComparison.Ordinal);
            config["sasl.mechanism"] = mechanism;
            config["sasl.username"] = scram ? SecureBrokerFixture.ScramUser : SecureBrokerFixture.PlainUser;
            config["sasl.password"] = password ?? (scram ? SecureBrokerFixture.ScramPassword : SecureBrokerFixture.PlainPassword);
        }
        return config;
    }

    private static Task<KafkaConnection> ConnectAsync(string host, int port, IReadOnlyDictionary<string, string> config) =>
        KafkaConnection.ConnectAsync(host, port, "security-test", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10),
            CancellationToken.None, ClientOptions.FromConfig(config).Security);

    [Theory]
    [InlineData("SSL", null)]
    [InlineData("SASL_PLAINTEXT", "PLAIN")]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-256")]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-512")]
    [InlineData("SASL_SSL", "PLAIN")]
    [InlineData("SASL_SSL", "SCRAM-SHA-512")]
    public async Task Producer_and_consumer_round_trip(string protocol, string? mechanism)
    {
        var topic = BrokerFixture.NewTopic("sec-" + protocol.ToLowerInvariant());
        var config = Config(protocol, mechanism);
        await using (var producer = new KafkaProducer(config))
        {
            for (var i = 0; i < 3; i++)
            {
                await producer.ProduceAsync(topic, null, Encoding.UTF8.GetBytes($"secret {i}"), partition: 0);
            }
        }
        var consumerConfig = new Dictionary<string, string>(config) { ["auto.offset.reset"] = "earliest", ["fetch.max.wait.ms"] = "100" };
        await using var consumer = new KafkaConsumer(consumerConfig);
        consumer.Assign([new TopicPartition(topic, 0)]);
        for (var i = 0; i < 3; i++)
        {
            var record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(record);
            Assert.Equal($"secret {i}", Encoding.UTF8.GetString(record.Value!.Value.Span));
        }
    }

    [Theory]
    [InlineData("SASL_PLAINTEXT", "PLAIN")]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-256")]
    [InlineData("SASL_SSL", "SCRAM-SHA-512")]
    public async Task Wrong_password_fails_authentication(string protocol, string mechanism)
    {
        var config = Config(protocol, mechanism, password: "wrong");
        var ex = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => ConnectAsync("127.0.0.1", fixture.Broker.PortOf(protocol), config));
        Assert.Contains("authentication failed", ex.Message, StringComparison.OrdinalIgnoreCase);

        await using var producer = new KafkaProducer(config);
        var produceError = await Assert.ThrowsAnyAsync<Exception>(() => producer.ProduceAsync(BrokerFixture.NewTopic("sec-denied"), null, "x"u8.ToArray(), partition: 0));
        Assert.Contains("authentication failed", produceError.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_mechanism_is_a_config_error()
    {
        var config = Config("SASL_PLAINTEXT", "GSSAPI");
        Assert.Throws<KafkaConfigException>(() => ClientOptions.FromConfig(config));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Untrusted_ca_fails_the_tls_handshake()
    {
        using var other = TestCertificates.Create();
        var config = Config("SSL");
        config["ssl.ca.location"] = other.CaPem;
        var ex = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => ConnectAsync("127.0.0.1", fixture.Broker.PortOf("SSL"), config));
        Assert.Contains("TLS handshake", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plaintext_client_cannot_talk_to_an_ssl_listener()
    {
        var config = Config("SSL");
        config["security.protocol"] = "PLAINTEXT";
        await Assert.ThrowsAnyAsync<KafkaException>(() => ConnectAsync("127.0.0.1", fixture.Broker.PortOf("SSL"), config));
    }

    [Fact]
    public async Task Hostname_mismatch_fails_unless_identification_is_none()
    {
        using var pki = TestCertificates.Create();
        var pem = Path.Combine(pki.Directory, "elsewhere.pem");
        File.WriteAllText(pem, IssueElsewhere(pki.Ca));
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0",
            ["ssl.keystore.type"] = "PEM",
            ["ssl.keystore.location"] = pem,
        });
        var config = new Dictionary<string, string> { ["security.protocol"] = "SSL", ["ssl.ca.location"] = pki.CaPem };
        var ex = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => ConnectAsync("127.0.0.1", broker.PortOf("SSL"), config));
        Assert.Contains("TLS handshake", ex.Message, StringComparison.Ordinal);

        config["ssl.endpoint.identification.algorithm"] = "none";
        await using var connection = await ConnectAsync("127.0.0.1", broker.PortOf("SSL"), config);
        Assert.True(connection.IsOpen);
    }

    /// <summary>A server certificate from the test CA for a name the client never dials.</summary>
    private static string IssueElsewhere(X509Certificate2 ca)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=elsewhere.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("elsewhere.example");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(10), RandomNumberGenerator.GetBytes(12));
        return issued.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem();
    }
}
