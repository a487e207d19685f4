using System.Security.Cryptography;
using System.Text;

namespace Strom.Broker.Security;

/// <summary>
/// SASL/PLAIN (RFC 4616): one message <c>[authzid] NUL authcid NUL passwd</c>, UTF-8. As in
/// Kafka, an authorization id other than the user itself is refused.
/// </summary>
public sealed class PlainSaslServer(IReadOnlyDictionary<string, string> users) : ISaslServer
{
    public const string MechanismName = "PLAIN";

    public string Mechanism => MechanismName;
    public bool IsComplete { get; private set; }
    public string? AuthorizationId { get; private set; }

    public byte[] EvaluateResponse(ReadOnlySpan<byte> response)
    {
        if (IsComplete)
        {
            throw new SaslAuthenticationException("PLAIN authentication is already complete");
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(response);
        }
        catch (DecoderFallbackException)
        {
            throw new SaslAuthenticationException("Invalid SASL/PLAIN message: not UTF-8");
        }
        var parts = text.Split('\0');
        if (parts.Length != 3)
        {
            throw new SaslAuthenticationException("Invalid SASL/PLAIN message: expected 3 NUL-separated fields");
        }
        var (authzid, user, password) = (parts[0], parts[1], parts[2]);
        if (user.Length == 0)
        {
            throw new SaslAuthenticationException("Authentication failed: username not specified");
        }
        if (password.Length == 0)
        {
            throw new SaslAuthenticationException("Authentication failed: password not specified");
        }
        if (authzid.Length > 0 && authzid != user)
        {
            throw new SaslAuthenticationException("Authentication failed: client requested an authorization id that is different from username");
        }
        // Compare fixed-length digests so the time taken says nothing about the stored password.
        var expected = users.TryGetValue(user, out var stored) ? stored : null;
        var match = expected is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        if (!match)
        {
            throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
        }
        AuthorizationId = user;
        IsComplete = true;
        return [];
    }
}
