using System.Security.Cryptography;
using System.Text;

namespace Strom.Broker.Security;

/// <summary>
/// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677; Kafka's KIP-84). The numeric codes are
/// the ones AlterUserScramCredentials and DescribeUserScramCredentials carry (KIP-554).
/// </summary>
public sealed class ScramMechanism
{
    public static readonly ScramMechanism Sha256 = new("SCRAM-SHA-256", 1, HashAlgorithmName.SHA256);
    public static readonly ScramMechanism Sha512 = new("SCRAM-SHA-512", 2, HashAlgorithmName.SHA512);

    /// <summary>Kafka's bounds on iterations (ScramMechanism.minIterations, and 16384 at most over the admin API).</summary>
    public const int MinIterations = 4096;
    public const int MaxIterations = 16384;

    private ScramMechanism(string name, sbyte code, HashAlgorithmName hash)
    {
        Name = name;
        Code = code;
        Hash = hash;
    }

    public string Name { get; }
    public sbyte Code { get; }
    public HashAlgorithmName Hash { get; }

    public static ScramMechanism? FromName(string name) =>
        name == Sha256.Name ? Sha256 : name == Sha512.Name ? Sha512 : null;

    public static ScramMechanism? FromCode(sbyte code) => code == 1 ? Sha256 : code == 2 ? Sha512 : null;

    /// <summary>Hi(password, salt, i): PBKDF2 with this hash, one block.</summary>
    public byte[] SaltedPassword(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, Hash, HashSize);

    public int HashSize => Hash == HashAlgorithmName.SHA512 ? 64 : 32;

    public byte[] Hmac(byte[] key, ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(key, data) : HMACSHA256.HashData(key, data);

    public byte[] Digest(ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA512 ? SHA512.HashData(data) : SHA256.HashData(data);

    /// <summary>What the broker keeps: StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").</summary>
    public ScramCredential CredentialFromSaltedPassword(byte[] salt, byte[] saltedPassword, int iterations) => new(
        salt,
        Digest(Hmac(saltedPassword, "Client Key"u8)),
        Hmac(saltedPassword, "Server Key"u8),
        iterations);

    public ScramCredential CredentialFromPassword(string password, int iterations = MinIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(HashSize);
        return CredentialFromSaltedPassword(salt, SaltedPassword(password, salt, iterations), iterations);
    }

    public override string ToString() => Name;
}

/// <summary>A SCRAM credential as stored: never the password, only what verifies a proof.</summary>
public sealed record ScramCredential(byte[] Salt, byte[] StoredKey, byte[] ServerKey, int Iterations);
