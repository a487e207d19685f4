using System.Text;
using Strom.Broker.Options;
using Strom.Broker.Security;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Security;

/// <summary>SASL over the wire: handshake v0 and v1, PLAIN and SCRAM, the gate before authentication.</summary>
public class SaslListenerTests
{
    internal const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
        "username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice-secret\";";

    internal static Dictionary<string, string> SaslConfig() => new()
    {
        ["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
        ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = Jaas,
    };

    [Fact]
    public async Task Metadata_before_authenticating_closes_the_connection()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        // ApiVersions is allowed before authentication.
        var versions = await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3);
        Assert.Contains(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.SaslAuthenticate && k.MaxVersion == 2);
        await connection.WriteRequestAsync(new MetadataRequest(), 12);
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData((short)1)]
    [InlineData((short)2)]
    public async Task Plain_over_SaslAuthenticate_then_metadata(short authenticateVersion)
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        var handshake = await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1);
        Assert.Equal(0, handshake.ErrorCode);
        Assert.Equal(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], handshake.Mechanisms);
        var auth = await connection.SendAsync<SaslAuthenticateResponse>(
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0alice\0alice-secret") }, authenticateVersion);
        Assert.Equal(0, auth.ErrorCode);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest(), 12);
        Assert.Equal(broker.PortOf("SASL_PLAINTEXT"), Assert.Single(metadata.Brokers).Port);
        // A second handshake on an authenticated connection is out of place.
        var again = await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1);
        Assert.Equal((short)ErrorCode.IllegalSaslState, again.ErrorCode);
    }

    [Fact]
    public async Task Wrong_password_fails_with_a_message_and_closes()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1);
        var auth = await connection.SendAsync<SaslAuthenticateResponse>(
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0alice\0nope") }, 2);
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, auth.ErrorCode);
        Assert.Contains("Invalid username or password", auth.ErrorMessage);
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));

        // The broker is still serving.
        await using var next = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        Assert.Equal(0, (await next.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)).ErrorCode);
    }

    [Fact]
    public async Task Large_frame_before_authenticating_is_refused_unread()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        var header = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, 1 << 20);
        await connection.SendBytesAsync(header);
        // 1 MiB is far below socket.request.max.bytes: only the pre-authentication cap refuses it.
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Unknown_mechanism_is_refused_with_the_enabled_list()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        var handshake = await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "GSSAPI" }, 1);
        Assert.Equal((short)ErrorCode.UnsupportedSaslMechanism, handshake.ErrorCode);
        Assert.Contains("SCRAM-SHA-512", handshake.Mechanisms);
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Handshake_v0_then_raw_plain_token()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        var handshake = await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 0);
        Assert.Equal(0, handshake.ErrorCode);
        await connection.WriteFrameAsync(Encoding.UTF8.GetBytes("\0alice\0alice-secret"));
        Assert.Empty((await connection.ReadFrameAsync())!);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest(), 1);
        Assert.Single(metadata.Brokers);
    }

    [Fact]
    public async Task Handshake_v0_with_a_wrong_raw_token_closes()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 0);
        await connection.WriteFrameAsync(Encoding.UTF8.GetBytes("\0alice\0wrong"));
        Assert.Null(await connection.ReadFrameAsync());
    }

    [Fact]
    public async Task Scram_credentials_altered_described_used_and_persisted()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using (var admin = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var salt = Encoding.UTF8.GetBytes("some-salt-bytes");
            var alter = await admin.SendAsync<AlterUserScramCredentialsResponse>(new AlterUserScramCredentialsRequest
            {
                Upsertions =
                [
                    Upsert("carol", ScramMechanism.Sha256, "carol-secret", salt, 4096),
                    Upsert("carol", ScramMechanism.Sha512, "carol-secret", salt, 8192),
                    Upsert("dave", ScramMechanism.Sha256, "x", salt, 100),
                ],
                Deletions = [new AlterUserScramCredentialsRequest.ScramCredentialDeletion { Name = "erin", Mechanism = 1 }],
            }, 0);
            Assert.Equal(0, alter.Results.Single(r => r.User == "carol").ErrorCode);
            Assert.Equal((short)ErrorCode.UnacceptableCredential, alter.Results.Single(r => r.User == "dave").ErrorCode);
            Assert.Equal((short)ErrorCode.ResourceNotFound, alter.Results.Single(r => r.User == "erin").ErrorCode);

            var described = await admin.SendAsync<DescribeUserScramCredentialsResponse>(new DescribeUserScramCredentialsRequest
            {
                Users = [new() { Name = "carol" }, new() { Name = "dave" }],
            }, 0);
            var carol = described.Results.Single(r => r.User == "carol");
            Assert.Equal([(1, 4096), (2, 8192)], carol.CredentialInfos.Select(c => ((int)c.Mechanism, c.Iterations)));
            Assert.Equal((short)ErrorCode.ResourceNotFound, described.Results.Single(r => r.User == "dave").ErrorCode);
        }
        var stored = File.ReadAllText(Path.Combine(broker.DataDirectory, "__cluster_metadata", "scram-credentials.json"));
        Assert.DoesNotContain("carol-secret", stored);
        Assert.Contains("storedKey", stored);

        Assert.Equal(0, await ScramAuthenticateAsync(broker, ScramMechanism.Sha512, "carol", "carol-secret"));
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, await ScramAuthenticateAsync(broker, ScramMechanism.Sha256, "carol", "wrong"));

        await broker.StopAsync();
        await using var restarted = await StromBroker.StartAsync(SaslConfig(), broker.DataDirectory);
        Assert.Equal(0, await ScramAuthenticateAsync(restarted, ScramMechanism.Sha256, "carol", "carol-secret"));
    }

    [Fact]
    public async Task Malformed_scram_client_first_gets_sasl_authentication_failed()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "SCRAM-SHA-256" }, 1);
        var auth = await connection.SendAsync<SaslAuthenticateResponse>(
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("x=1,y=2") }, 1);
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, auth.ErrorCode);
        Assert.False(string.IsNullOrEmpty(auth.ErrorMessage));
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task SaslAuthenticate_without_handshake_is_illegal()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        var auth = await connection.SendAsync<SaslAuthenticateResponse>(
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0alice\0alice-secret") }, 1);
        Assert.Equal((short)ErrorCode.IllegalSaslState, auth.ErrorCode);
        Assert.True(await connection.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Plaintext_listener_answers_handshake_with_illegal_state()
    {
        await using var broker = await StromBroker.StartAsync(SaslConfig());
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var handshake = await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1);
        Assert.Equal((short)ErrorCode.IllegalSaslState, handshake.ErrorCode);
    }

    [Fact]
    public void Kafka_default_gssapi_is_refused_at_startup()
    {
        var config = new BrokerConfig(new Dictionary<string, string> { ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0" });
        var ex = Assert.Throws<ConfigException>(() => ListenerSecurity.Resolve(config, "SASL_PLAINTEXT"));
        Assert.Contains("GSSAPI", ex.Message);
        var unmapped = new BrokerConfig(new Dictionary<string, string> { ["listeners"] = "INTERNAL://127.0.0.1:0" });
        Assert.Throws<ConfigException>(() => ListenerSecurity.Resolve(unmapped, "INTERNAL"));
        var mapped = new BrokerConfig(new Dictionary<string, string>
        {
            ["listener.security.protocol.map"] = "INTERNAL:SASL_PLAINTEXT",
            ["listener.name.internal.sasl.enabled.mechanisms"] = "SCRAM-SHA-512",
        });
        var security = ListenerSecurity.Resolve(mapped, "INTERNAL");
        Assert.Equal(SecurityProtocol.SaslPlaintext, security.Protocol);
        Assert.Equal(["SCRAM-SHA-512"], security.Mechanisms);
    }

    [Fact]
    public async Task DescribeConfigs_hides_jaas_lines_and_passwords()
    {
        var config = SaslConfig();
        config["listener.name.sasl_plaintext.ssl.key.password"] = "hidden-too";
        await using var broker = await StromBroker.StartAsync(config);
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var described = await connection.SendAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = "1" }],
        }, 4);
        var configs = Assert.Single(described.Results).Configs;
        var jaas = configs.Single(c => c.Name == "listener.name.sasl_plaintext.plain.sasl.jaas.config");
        Assert.True(jaas.IsSensitive);
        Assert.Null(jaas.Value);
        Assert.Null(configs.Single(c => c.Name == "listener.name.sasl_plaintext.ssl.key.password").Value);
        Assert.Equal("PLAIN,SCRAM-SHA-256,SCRAM-SHA-512", configs.Single(c => c.Name == "sasl.enabled.mechanisms").Value);
        Assert.DoesNotContain(configs, c => c.Value?.Contains("alice-secret", StringComparison.Ordinal) == true);
    }

    internal static AlterUserScramCredentialsRequest.ScramCredentialUpsertion Upsert(string user, ScramMechanism mechanism, string password, byte[] salt, int iterations) => new()
    {
        Name = user,
        Mechanism = mechanism.Code,
        Iterations = iterations,
        Salt = salt,
        SaltedPassword = mechanism.SaltedPassword(password, salt, iterations),
    };

    private static async Task<short> ScramAuthenticateAsync(StromBroker broker, ScramMechanism mechanism, string user, string password)
    {
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.PortOf("SASL_PLAINTEXT"));
        await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = mechanism.Name }, 1);
        var client = new ScramClient(mechanism, user, password);
        var first = await connection.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = client.ClientFirst() }, 2);
        if (first.ErrorCode != 0)
        {
            return first.ErrorCode;
        }
        var final = await connection.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = client.ClientFinal(first.AuthBytes) }, 2);
        if (final.ErrorCode != 0)
        {
            return final.ErrorCode;
        }
        Assert.True(client.VerifyServerFinal(final.AuthBytes));
        Assert.Single((await connection.SendAsync<MetadataResponse>(new MetadataRequest(), 12)).Brokers);
        return 0;
    }
}
