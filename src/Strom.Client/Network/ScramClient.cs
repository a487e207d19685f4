using System.Security.Cryptography;
using System.Text;
using Strom.Protocol;

namespace Strom.Client.Network;

/// <summary>
/// The client half of SCRAM (RFC 5802, RFC 7677) as Kafka uses it (KIP-84): no channel
/// binding (gs2 header "n,,"), a random client nonce, the salted password from PBKDF2, and
/// the server's signature in server-final checked before the login counts, so a broker that
/// does not know the password cannot pretend it does.
/// </summary>
internal sealed class ScramClient
{
    /// <summary>Kafka's floor for SCRAM iterations; fewer would make a stolen exchange cheap to crack.</summary>
    public const int MinIterations = 4096;

    private const int MaxIterations = 1 << 24;

    private readonly HashAlgorithmName _hash;
    private readonly string _username;
    private readonly string _password;
    private readonly string _clientNonce;
    private string? _clientFirstBare;
    private byte[]? _expectedServerSignature;

    public ScramClient(string mechanism, string username, string password, string? clientNonce = null)
    {
        _hash = mechanism switch
        {
            "SCRAM-SHA-256" => HashAlgorithmName.SHA256,
            "SCRAM-SHA-512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"not a SCRAM mechanism: {mechanism}", nameof(mechanism)),
        };
        _username = username;
        _password = password;
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
    }

    /// <summary>client-first-message: "n,,n=user,r=nonce".</summary>
    public byte[] ClientFirst()
    {
        _clientFirstBare = $"n={Escape(_username)},r={_clientNonce}";
        return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
    }

    /// <summary>Reads server-first ("r=,s=,i=") and answers with client-final carrying the proof.</summary>
    public byte[] ClientFinal(byte[] serverFirstBytes)
    {
        if (_clientFirstBare is null)
        {
            throw new InvalidOperationException("ClientFirst has not been sent");
        }
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var fields = Fields(serverFirst);
        if (!fields.TryGetValue('r', out var nonce) || !fields.TryGetValue('s', out var saltText) || !fields.TryGetValue('i', out var iterText))
        {
            throw Failure($"malformed server-first message '{serverFirst}'");
        }
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length <= _clientNonce.Length)
        {
            throw Failure("server nonce does not extend the client nonce");
        }
        if (!int.TryParse(iterText, out var iterations) || iterations < MinIterations || iterations > MaxIterations)
        {
            throw Failure($"server asked for {iterText} iterations (allowed {MinIterations}..{MaxIterations})");
        }
        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(saltText);
        }
        catch (FormatException)
        {
            throw Failure("server salt is not base64");
        }
        var hashLength = _hash == HashAlgorithmName.SHA256 ? 32 : 64;
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), salt, iterations, _hash, hashLength);
        var clientKey = Hmac(salted, "Client Key"u8);
        var storedKey = _hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA512.HashData(clientKey);
        var withoutProof = $"c=biws,r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{withoutProof}");
        var proof = Hmac(storedKey, authMessage);
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] ^= clientKey[i];
        }
        _expectedServerSignature = Hmac(Hmac(salted, "Server Key"u8), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>Checks server-final: "v=signature" must match ours; "e=..." is the server's refusal.</summary>
    public void VerifyServerFinal(byte[] serverFinalBytes)
    {
        if (_expectedServerSignature is null)
        {
            throw new InvalidOperationException("ClientFinal has not been sent");
        }
        var fields = Fields(Encoding.UTF8.GetString(serverFinalBytes));
        if (fields.TryGetValue('e', out var error))
        {
            throw Failure($"server refused: {error}");
        }
        byte[] signature = [];
        if (fields.TryGetValue('v', out var verifier))
        {
            try
            {
                signature = Convert.FromBase64String(verifier);
            }
            catch (FormatException)
            {
            }
        }
        if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
        {
            throw Failure("server signature does not match: the broker did not prove it knows the password");
        }
    }

    private byte[] Hmac(byte[] key, ReadOnlySpan<byte> data) =>
        _hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    private static string Escape(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    private static Dictionary<char, string> Fields(string message)
    {
        var fields = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                fields.TryAdd(part[0], part[2..]);
            }
        }
        return fields;
    }

    private static KafkaAuthenticationException Failure(string message) =>
        new KafkaAuthenticationException(ErrorCode.SaslAuthenticationFailed, $"SCRAM authentication failed: {message}");
}
