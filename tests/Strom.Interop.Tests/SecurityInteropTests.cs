using Strom.Broker.Security;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Interop.Tests;

/// <summary>
/// Real clients through SSL (CA-verified), SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
/// and SASL_SSL listeners of one broker: librdkafka through confluent-kafka-python and kcat,
/// kafka-python, whose v0 SaslHandshake sends raw tokens, and kafkajs with its own SCRAM. Wrong passwords must come back
/// to the client as authentication failures.
/// </summary>
public sealed class SecurityInteropTests : IAsyncLifetime
{
    private const string Script = "security_client.py";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TestCertificates _pki = TestCertificates.Create();
    private StromBroker? _broker;

    private StromBroker Broker => _broker!;

    public async Task InitializeAsync()
    {
        await ClientScript.ConfluentKafkaPython.EnsureInstalledAsync();
        var jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";";
        _broker = await StromBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
            ["ssl.keystore.type"] = "PEM",
            ["ssl.keystore.location"] = _pki.ServerPem,
            ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = jaas,
            ["listener.name.sasl_ssl.plain.sasl.jaas.config"] = jaas,
        });
        // SCRAM users are created over the PLAINTEXT listener, as kafka-configs.sh would over an admin listener.
        await using var admin = await KafkaTestConnection.ConnectAsync(Broker.Port);
        var salt = "interop-salt"u8.ToArray();
        var alter = await admin.SendAsync<AlterUserScramCredentialsResponse>(new AlterUserScramCredentialsRequest
        {
            Upsertions =
            [
                Upsert("scram-user", ScramMechanism.Sha256, "scram-secret", salt),
                Upsert("scram-user", ScramMechanism.Sha512, "scram-secret", salt),
            ],
        }, 0);
        Assert.All(alter.Results, r => Assert.Equal(0, r.ErrorCode));
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
        _pki.Dispose();
    }

    [Theory]
    [InlineData("confluent", "SSL", null)]
    [InlineData("confluent", "SASL_PLAINTEXT", "PLAIN")]
    [InlineData("confluent", "SASL_PLAINTEXT", "SCRAM-SHA-256")]
    [InlineData("confluent", "SASL_PLAINTEXT", "SCRAM-SHA-512")]
    [InlineData("confluent", "SASL_SSL", "SCRAM-SHA-512")]
    [InlineData("confluent", "SASL_SSL", "PLAIN")]
    [InlineData("kafka-python", "SSL", null)]
    [InlineData("kafka-python", "SASL_PLAINTEXT", "PLAIN")]
    [InlineData("kafka-python", "SASL_PLAINTEXT", "SCRAM-SHA-256")]
    [InlineData("kafka-python", "SASL_SSL", "SCRAM-SHA-512")]
    public async Task Produce_and_consume(string library, string protocol, string? mechanism)
    {
        var topic = $"sec-{library}-{protocol}-{mechanism ?? "none"}".ToLowerInvariant();
        var result = await RunAsync(library, protocol, mechanism, Password(mechanism), topic, "roundtrip");
        Assert.True(result.Succeeded, result.ToString());
    }

    [Theory]
    [InlineData("confluent", "SASL_PLAINTEXT", "PLAIN")]
    [InlineData("confluent", "SASL_PLAINTEXT", "SCRAM-SHA-256")]
    [InlineData("confluent", "SASL_SSL", "SCRAM-SHA-512")]
    [InlineData("kafka-python", "SASL_PLAINTEXT", "PLAIN")]
    [InlineData("kafka-python", "SASL_PLAINTEXT", "SCRAM-SHA-512")]
    public async Task Wrong_password_is_an_authentication_failure(string library, string protocol, string mechanism)
    {
        var result = await RunAsync(library, protocol, mechanism, "not-the-password", "sec-denied", "auth-failure");
        Assert.True(result.Succeeded, result.ToString());
        // The broker keeps serving the right password.
        var ok = await RunAsync("confluent", protocol, mechanism, Password(mechanism), $"sec-after-{library}-{mechanism}".ToLowerInvariant(), "roundtrip");
        Assert.True(ok.Succeeded, ok.ToString());
    }

    [Theory]
    [InlineData("SSL", "-", "roundtrip")]
    [InlineData("SASL_PLAINTEXT", "PLAIN", "roundtrip")]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-256", "roundtrip")]
    [InlineData("SASL_SSL", "SCRAM-SHA-512", "roundtrip")]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-512", "auth-failure")]
    public async Task KafkaJs(string protocol, string mechanism, string phase)
    {
        await ClientScript.KafkaJs.EnsureInstalledAsync();
        var topic = $"sec-kafkajs-{protocol}-{mechanism}".ToLowerInvariant();
        var result = await ProcessRunner.RunAsync("node",
        [
            Path.Combine(ClientScript.ClientsDirectory, "js", "kafkajs_security.js"), $"127.0.0.1:{Broker.PortOf(protocol)}", topic, protocol,
            mechanism, mechanism == "PLAIN" ? "alice" : "scram-user", phase == "auth-failure" ? "wrong" : Password(mechanism), _pki.CaPem, phase,
        ], Timeout, ClientScript.ClientsDirectory);
        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public async Task Kcat_over_ssl_verifies_the_broker_certificate()
    {
        await ClientScript.Kcat.EnsureInstalledAsync();
        var common = $"kcat -b 127.0.0.1:{Broker.PortOf("SSL")} -X security.protocol=SSL -X ssl.ca.location={_pki.CaPem}";
        var produce = await ProcessRunner.RunAsync("bash", ["-c", $"printf 'one\\ntwo\\nthree\\n' | {common} -P -t kcat-ssl"], Timeout);
        Assert.True(produce.Succeeded, produce.ToString());
        var consume = await ProcessRunner.RunAsync("bash", ["-c", $"{common} -C -t kcat-ssl -o beginning -c 3 -e"], Timeout);
        Assert.True(consume.Succeeded, consume.ToString());
        Assert.Equal(["one", "two", "three"], consume.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Without the CA the broker's certificate is not trusted: kcat must fail.
        var untrusted = await ProcessRunner.RunAsync("bash",
            ["-c", $"kcat -b 127.0.0.1:{Broker.PortOf("SSL")} -X security.protocol=SSL -X ssl.ca.location=/dev/null -L -m 10"], Timeout);
        Assert.False(untrusted.Succeeded, untrusted.ToString());
    }

    [Fact]
    public async Task Kcat_over_sasl_plaintext_scram()
    {
        await ClientScript.Kcat.EnsureInstalledAsync();
        var common = $"kcat -b 127.0.0.1:{Broker.PortOf("SASL_PLAINTEXT")} -X security.protocol=SASL_PLAINTEXT " +
            "-X sasl.mechanisms=SCRAM-SHA-256 -X sasl.username=scram-user -X sasl.password=scram-secret";
        var produce = await ProcessRunner.RunAsync("bash", ["-c", $"printf 'a\\nb\\n' | {common} -P -t kcat-scram"], Timeout);
        Assert.True(produce.Succeeded, produce.ToString());
        var consume = await ProcessRunner.RunAsync("bash", ["-c", $"{common} -C -t kcat-scram -o beginning -c 2 -e"], Timeout);
        Assert.True(consume.Succeeded, consume.ToString());
        Assert.Equal(["a", "b"], consume.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Password(string? mechanism) => mechanism == "PLAIN" ? "alice-secret" : "scram-secret";

    private Task<ProcessResult> RunAsync(string library, string protocol, string? mechanism, string password, string topic, string phase)
    {
        var arguments = new List<string>
        {
            Path.Combine(ClientScript.ClientsDirectory, Script),
            "--library", library, "--bootstrap", $"127.0.0.1:{Broker.PortOf(protocol)}", "--topic", topic, "--protocol", protocol,
        };
        if (mechanism is not null)
        {
            arguments.AddRange(["--mechanism", mechanism, "--user", mechanism == "PLAIN" ? "alice" : "scram-user", "--password", password]);
        }
        if (protocol.EndsWith("SSL", StringComparison.Ordinal))
        {
            arguments.AddRange(["--ca", _pki.CaPem]);
        }
        arguments.Add(phase);
        return ProcessRunner.RunAsync(ClientScript.SystemPython, arguments, Timeout, ClientScript.ClientsDirectory);
    }

    private static AlterUserScramCredentialsRequest.ScramCredentialUpsertion Upsert(string user, ScramMechanism mechanism, string password, byte[] salt) => new()
    {
        Name = user,
        Mechanism = mechanism.Code,
        Iterations = ScramMechanism.MinIterations,
        Salt = salt,
        SaltedPassword = mechanism.SaltedPassword(password, salt, ScramMechanism.MinIterations),
    };
}
