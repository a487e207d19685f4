using System.Security.Cryptography;
using System.Text;

namespace Strom.Broker.Security;

/// <summary>
/// The server side of SCRAM (RFC 5802 section 5), as Kafka runs it (KIP-84): no channel binding,
/// the user from <c>n=</c>, credentials looked up per mechanism. Two client messages:
/// <code>
/// client-first:  gs2-header "n=" user ",r=" cnonce [,extensions]
/// server-first:  "r=" cnonce snonce ",s=" base64(salt) ",i=" iterations
/// client-final:  "c=" base64(gs2-header) ",r=" nonce ",p=" base64(ClientProof)
/// server-final:  "v=" base64(ServerSignature)
/// </code>
/// </summary>
public sealed class ScramSaslServer(ScramMechanism mechanism, Func<string, ScramMechanism, ScramCredential?> credentials, string? serverNonce = null)
    : ISaslServer
{
    /// <summary>Longest client message accepted; real ones are well under 1 KiB.</summary>
    private const int MaxMessageBytes = 8192;

    private State _state = State.ReceiveClientFirst;
    private string _gs2Header = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private string _user = "";
    private ScramCredential? _credential;

    private enum State
    {
        ReceiveClientFirst,
        ReceiveClientFinal,
        Complete,
        Failed,
    }

    public string Mechanism => mechanism.Name;
    public bool IsComplete => _state == State.Complete;
    public string? AuthorizationId => IsComplete ? _user : null;

    public byte[] EvaluateResponse(ReadOnlySpan<byte> response)
    {
        try
        {
            if (response.Length > MaxMessageBytes)
            {
                throw Fail("message too long");
            }
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(response);
            }
            catch (DecoderFallbackException)
            {
                throw Fail("message is not UTF-8");
            }
            return _state switch
            {
                State.ReceiveClientFirst => ClientFirst(text),
                State.ReceiveClientFinal => ClientFinal(text),
                _ => throw Fail("unexpected message after the exchange ended"),
            };
        }
        catch (SaslAuthenticationException)
        {
            _state = State.Failed;
            throw;
        }
    }

    private byte[] ClientFirst(string text)
    {
        // gs2-header: cbind-flag "," [authzid] ","
        var first = text.IndexOf(',');
        var second = first < 0 ? -1 : text.IndexOf(',', first + 1);
        if (second < 0)
        {
            throw Fail("invalid client-first message: no GS2 header");
        }
        var cbind = text[..first];
        if (cbind.StartsWith("p=", StringComparison.Ordinal))
        {
            throw Fail("channel binding is not supported");
        }
        if (cbind is not ("n" or "y"))
        {
            throw Fail("invalid client-first message: bad channel binding flag");
        }
        var authzid = text[(first + 1)..second];
        _gs2Header = text[..(second + 1)];
        _clientFirstBare = text[(second + 1)..];
        var attributes = Attributes(_clientFirstBare);
        if (attributes.Count < 2 || attributes[0].Key != 'n' || attributes[1].Key != 'r' || attributes[1].Value.Length == 0)
        {
            throw Fail("invalid client-first message: expected n=user,r=nonce");
        }
        foreach (var (key, value) in attributes.Skip(2))
        {
            // Kafka's only extension is tokenauth (delegation tokens), which Strom does not issue.
            if (key == 'm' || value.Contains("tokenauth", StringComparison.Ordinal))
            {
                throw Fail("SCRAM extensions are not supported");
            }
        }
        _user = UnescapeName(attributes[0].Value);
        if (authzid.Length > 0 && (!authzid.StartsWith("a=", StringComparison.Ordinal) || UnescapeName(authzid[2..]) != _user))
        {
            throw Fail("authorization id must be the user");
        }
        var clientNonce = attributes[1].Value;
        if (!IsPrintable(clientNonce))
        {
            throw Fail("invalid client nonce");
        }
        _credential = credentials(_user, mechanism)
            ?? throw new SaslAuthenticationException($"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism.Name}");
        _nonce = clientNonce + (serverNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace(',', '.'));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _state = State.ReceiveClientFinal;
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    private byte[] ClientFinal(string text)
    {
        var proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw Fail("invalid client-final message: no proof");
        }
        var withoutProof = text[..proofAt];
        var attributes = Attributes(withoutProof);
        if (attributes.Count < 2 || attributes[0].Key != 'c' || attributes[1].Key != 'r')
        {
            throw Fail("invalid client-final message: expected c=,r=,p=");
        }
        if (attributes[0].Value != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
        {
            throw Fail("channel binding data does not match the GS2 header");
        }
        // RFC 5802 wants the nonce echoed exactly; librdkafka sends client nonce + the whole server nonce,
        // and Kafka accepts any nonce that ends with its own, so Strom does too. The proof still covers it.
        if (!attributes[1].Value.EndsWith(_nonce, StringComparison.Ordinal))
        {
            throw Fail("nonce does not match");
        }
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(text[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw Fail("invalid client proof encoding");
        }
        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = mechanism.Hmac(credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            throw InvalidCredentials();
        }
        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }
        if (!CryptographicOperations.FixedTimeEquals(mechanism.Digest(clientKey), credential.StoredKey))
        {
            throw InvalidCredentials();
        }
        _state = State.Complete;
        return Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(mechanism.Hmac(credential.ServerKey, authMessage)));
    }

    private SaslAuthenticationException InvalidCredentials() =>
        new($"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism.Name}");

    private SaslAuthenticationException Fail(string reason) => new($"Authentication failed: {mechanism.Name} {reason}");

    /// <summary>Splits <c>k=v,k=v</c>; every attribute must be one letter, '=' and a value.</summary>
    private List<KeyValuePair<char, string>> Attributes(string text)
    {
        var result = new List<KeyValuePair<char, string>>();
        foreach (var part in text.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]))
            {
                throw Fail($"invalid attribute '{(part.Length > 16 ? part[..16] : part)}'");
            }
            result.Add(new(part[0], part[2..]));
        }
        return result;
    }

    /// <summary>saslname: ',' and '=' arrive as =2C and =3D; any other '=' is malformed.</summary>
    private string UnescapeName(string name)
    {
        var result = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '=')
            {
                result.Append(name[i]);
                continue;
            }
            var escape = i + 3 <= name.Length ? name.Substring(i, 3) : "";
            result.Append(escape switch
            {
                "=2C" => ',',
                "=3D" => '=',
                _ => throw Fail("invalid user name encoding"),
            });
            i += 2;
        }
        if (result.Length == 0)
        {
            throw Fail("empty user name");
        }
        return result.ToString();
    }

    private static bool IsPrintable(string nonce)
    {
        foreach (var c in nonce)
        {
            if (c is < (char)0x21 or > (char)0x7e || c == ',')
            {
                return false;
            }
        }
        return true;
    }
}
