using System.Text;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Network;

/// <summary>
/// SASL login over Kafka requests (KIP-152): after ApiVersions, SaslHandshake names the
/// mechanism, then each token travels in a SaslAuthenticate request at the highest version
/// both sides speak, so the broker's error message comes back with a refusal. PLAIN is one
/// token (RFC 4616); SCRAM is two round trips (<see cref="ScramClient"/>).
/// </summary>
internal static class SaslAuthenticator
{
    public static async Task AuthenticateAsync(KafkaConnection connection, SecurityOptions options, CancellationToken cancellationToken)
    {
        var mechanism = options.SaslMechanism;
        var user = options.SaslUsername ?? "";
        var password = options.SaslPassword ?? "";
        var handshake = await connection.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = mechanism }, cancellationToken).ConfigureAwait(false);
        if (handshake.ErrorCode != 0)
        {
            throw new KafkaAuthenticationException((ErrorCode)handshake.ErrorCode,
                $"authentication failed: {connection.Endpoint} does not accept SASL mechanism {mechanism} "
                + $"({((ErrorCode)handshake.ErrorCode).ToKafkaName()}; enabled: {string.Join(", ", handshake.Mechanisms)})");
        }
        if (mechanism == "PLAIN")
        {
            await ExchangeAsync(connection, user, Encoding.UTF8.GetBytes($"\0{user}\0{password}"), cancellationToken).ConfigureAwait(false);
            return;
        }
        var scram = new ScramClient(mechanism, user, password);
        var serverFirst = await ExchangeAsync(connection, user, scram.ClientFirst(), cancellationToken).ConfigureAwait(false);
        var serverFinal = await ExchangeAsync(connection, user, scram.ClientFinal(serverFirst), cancellationToken).ConfigureAwait(false);
        scram.VerifyServerFinal(serverFinal);
    }

    private static async Task<byte[]> ExchangeAsync(KafkaConnection connection, string user, byte[] token, CancellationToken cancellationToken)
    {
        var response = await connection.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = token }, cancellationToken).ConfigureAwait(false);
        if (response.ErrorCode != 0)
        {
            var code = (ErrorCode)response.ErrorCode;
            throw new KafkaAuthenticationException(code, string.IsNullOrEmpty(response.ErrorMessage)
                ? $"authentication failed for user '{user}' at {connection.Endpoint}: {code.ToKafkaName()}"
                : $"authentication failed for user '{user}' at {connection.Endpoint}: {response.ErrorMessage}");
        }
        return response.AuthBytes;
    }
}
