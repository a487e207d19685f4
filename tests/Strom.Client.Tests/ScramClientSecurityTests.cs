using System.Text;
using Strom.Client.Config;
using Strom.Client.Network;

namespace Strom.Client.Tests;

/// <summary>The SCRAM client against RFC 7677's SCRAM-SHA-256 example exchange, and the config keys.</summary>
public sealed class ScramClientSecurityTests
{
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    private static ScramClient Started(out byte[] clientFinal)
    {
        var scram = new ScramClient("SCRAM-SHA-256", "user", "pencil", ClientNonce);
        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Encoding.UTF8.GetString(scram.ClientFirst()));
        clientFinal = scram.ClientFinal(Encoding.UTF8.GetBytes(ServerFirst));
        return scram;
    }

    [Fact]
    public void Matches_the_rfc_7677_example()
    {
        var scram = Started(out var clientFinal);
        Assert.Equal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            Encoding.UTF8.GetString(clientFinal));
        scram.VerifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="u8.ToArray());
    }

    [Fact]
    public void Rejects_a_wrong_server_signature()
    {
        var scram = Started(out _);
        var ex = Assert.Throws<KafkaAuthenticationException>(() => scram.VerifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="u8.ToArray()));
        Assert.Contains("server signature", ex.Message, StringComparison.Ordinal);
        Assert.Throws<KafkaAuthenticationException>(() => scram.VerifyServerFinal("e=invalid-proof"u8.ToArray()));
    }

    [Fact]
    public void Rejects_a_nonce_the_client_did_not_start_or_too_few_iterations()
    {
        var scram = new ScramClient("SCRAM-SHA-512", "user", "pencil", ClientNonce);
        scram.ClientFirst();
        Assert.Throws<KafkaAuthenticationException>(() => scram.ClientFinal("r=someoneElse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"u8.ToArray()));
        Assert.Throws<KafkaAuthenticationException>(() => scram.ClientFinal("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1"u8.ToArray()));
    }

    [Fact]
    public void Reads_the_security_keys_in_both_spellings()
    {
        var options = ClientOptions.FromConfig(new Dictionary<string, string>
        {
            ["security.protocol"] = "sasl_ssl",
            ["sasl.mechanisms"] = "scram-sha-512",
            ["sasl.username"] = "u",
            ["sasl.password"] = "p",
            ["ssl.endpoint.identification.algorithm"] = "none",
        }).Security;
        Assert.Equal(SecurityProtocol.SaslSsl, options.Protocol);
        Assert.Equal("SCRAM-SHA-512", options.SaslMechanism);
        Assert.False(options.SslVerifyHostname);
        Assert.True(options.UsesTls && options.UsesSasl);
        Assert.Throws<KafkaConfigException>(() => ClientOptions.FromConfig(new Dictionary<string, string> { ["security.protocol"] = "SASL_PLAINTEXT" }));
        Assert.Throws<KafkaConfigException>(() => ClientOptions.FromConfig(new Dictionary<string, string> { ["security.protocol"] = "TLS" }));
        Assert.True(ClientOptions.FromConfig(new Dictionary<string, string>()).Security.SslVerifyHostname);
    }
}
