using System.Text;
using Strom.Broker.Options;
using Strom.Broker.Security;

namespace Strom.Broker.Tests.Security;

public class SaslMechanismTests
{
    private static readonly Dictionary<string, string> Users = new() { ["alice"] = "alice-secret" };

    [Fact]
    public void Scram_sha256_matches_the_rfc7677_example()
    {
        // RFC 7677 section 3: user "user", password "pencil".
        var salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");
        var mechanism = ScramMechanism.Sha256;
        var credential = mechanism.CredentialFromSaltedPassword(salt, mechanism.SaltedPassword("pencil", salt, 4096), 4096);
        var server = new ScramSaslServer(mechanism, (u, _) => u == "user" ? credential : null, serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");

        var serverFirst = server.EvaluateResponse("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"u8);
        Assert.Equal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", Encoding.UTF8.GetString(serverFirst));
        var serverFinal = server.EvaluateResponse(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="u8);
        Assert.Equal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Encoding.UTF8.GetString(serverFinal));
        Assert.True(server.IsComplete);
        Assert.Equal("user", server.AuthorizationId);
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public void Scram_round_trip_and_wrong_password(string name)
    {
        var mechanism = ScramMechanism.FromName(name)!;
        var credential = mechanism.CredentialFromPassword("s3cret,=x");
        ScramCredential? Lookup(string user, ScramMechanism m) => user == "bob,=" && m == mechanism ? credential : null;

        var server = new ScramSaslServer(mechanism, Lookup);
        var client = new ScramClient(mechanism, "bob,=", "s3cret,=x");
        var serverFinal = server.EvaluateResponse(client.ClientFinal(server.EvaluateResponse(client.ClientFirst())));
        Assert.True(client.VerifyServerFinal(serverFinal));
        Assert.Equal("bob,=", server.AuthorizationId);

        var wrong = new ScramSaslServer(mechanism, Lookup);
        var impostor = new ScramClient(mechanism, "bob,=", "guess");
        var first = wrong.EvaluateResponse(impostor.ClientFirst());
        var ex = Assert.Throws<SaslAuthenticationException>(() => wrong.EvaluateResponse(impostor.ClientFinal(first)));
        Assert.Contains("invalid credentials", ex.Message);
        Assert.False(wrong.IsComplete);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("n,,")]
    [InlineData("n,,r=abc,n=user")]
    [InlineData("p=tls-unique,,n=user,r=abc")]
    [InlineData("n,,n=us=ZZer,r=abc")]
    [InlineData("n,,n=user,r=")]
    [InlineData("n,a=mallory,n=user,r=abc")]
    [InlineData("n,,n=nobody,r=abc")]
    public void Malformed_or_unknown_client_first_fails(string message)
    {
        var credential = ScramMechanism.Sha256.CredentialFromPassword("pw");
        var server = new ScramSaslServer(ScramMechanism.Sha256, (u, _) => u == "user" ? credential : null);
        Assert.Throws<SaslAuthenticationException>(() => server.EvaluateResponse(Encoding.UTF8.GetBytes(message)));
        Assert.False(server.IsComplete);
    }

    [Fact]
    public void Scram_accepts_librdkafkas_prefixed_nonce_as_kafka_does()
    {
        var mechanism = ScramMechanism.Sha256;
        var credential = mechanism.CredentialFromPassword("pw");
        var server = new ScramSaslServer(mechanism, (_, _) => credential);
        var client = new ScramClient(mechanism, "user", "pw");
        var serverFinal = server.EvaluateResponse(client.ClientFinal(server.EvaluateResponse(client.ClientFirst()), librdkafkaNonce: true));
        Assert.True(client.VerifyServerFinal(serverFinal));
    }

    [Fact]
    public void Scram_client_final_with_a_changed_nonce_fails()
    {
        var mechanism = ScramMechanism.Sha512;
        var credential = mechanism.CredentialFromPassword("pw");
        var server = new ScramSaslServer(mechanism, (_, _) => credential);
        var client = new ScramClient(mechanism, "user", "pw");
        var serverFirst = Encoding.UTF8.GetString(server.EvaluateResponse(client.ClientFirst()));
        // The nonce must end with the server's; librdkafka's cnonce + nonce does, a changed one does not.
        var tampered = Encoding.UTF8.GetBytes(serverFirst.Replace("r=fyko+d2lbbFgONRv9qkxdawL", "r=fyko+d2lbbFgONRv9qkxdawL" + "x"));
        Assert.Throws<SaslAuthenticationException>(() => server.EvaluateResponse(client.ClientFinal(tampered)));
    }

    [Theory]
    [InlineData("\0alice\0alice-secret", true)]
    [InlineData("alice\0alice\0alice-secret", true)]
    [InlineData("\0alice\0wrong", false)]
    [InlineData("\0mallory\0alice-secret", false)]
    [InlineData("bob\0alice\0alice-secret", false)]
    [InlineData("\0alice", false)]
    [InlineData("\0alice\0", false)]
    public void Plain(string message, bool accepted)
    {
        var server = new PlainSaslServer(Users);
        if (accepted)
        {
            Assert.Empty(server.EvaluateResponse(Encoding.UTF8.GetBytes(message)));
            Assert.Equal("alice", server.AuthorizationId);
        }
        else
        {
            Assert.Throws<SaslAuthenticationException>(() => server.EvaluateResponse(Encoding.UTF8.GetBytes(message)));
            Assert.False(server.IsComplete);
        }
    }

    [Fact]
    public void Jaas_line_yields_plain_users()
    {
        var modules = JaasLoginModule.Parse(
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\"\n" +
            "  user_admin=\"admin-secret\" user_alice=\"a;l \\\"ice\" user_bob=plain;");
        var module = Assert.Single(modules);
        Assert.Equal("org.apache.kafka.common.security.plain.PlainLoginModule", module.ClassName);
        Assert.Equal("required", module.Flag);
        Assert.Equal("admin", module.Options["username"]);
        var users = JaasLoginModule.PlainUsers(modules);
        Assert.Equal(3, users.Count);
        Assert.Equal("a;l \"ice", users["alice"]);
        Assert.Equal("plain", users["bob"]);
    }

    [Theory]
    [InlineData("PlainLoginModule user_a=\"b\";")]
    [InlineData("PlainLoginModule required user_a=\"b\"")]
    [InlineData("PlainLoginModule required user_a=\"b;")]
    [InlineData("PlainLoginModule required user_a;")]
    public void Bad_jaas_line_is_a_config_error(string text)
    {
        var ex = Assert.Throws<ConfigException>(() => JaasLoginModule.Parse(text));
        Assert.DoesNotContain("\"b\"", ex.Message);
    }
}
