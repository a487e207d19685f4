using System.Text;
using Strom.Broker.Security;

namespace Strom.Broker.Tests.Security;

/// <summary>The client side of SCRAM (RFC 5802), written from the RFC to drive the broker in tests.</summary>
internal sealed class ScramClient(ScramMechanism mechanism, string user, string password, string clientNonce = "fyko+d2lbbFgONRv9qkxdawL")
{
    private string _clientFirstBare = "";
    private byte[] _serverSignature = [];

    public byte[] ClientFirst()
    {
        _clientFirstBare = $"n={user.Replace("=", "=3D").Replace(",", "=2C")},r={clientNonce}";
        return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
    }

    /// <summary>With <paramref name="librdkafkaNonce"/> the nonce is sent as librdkafka does: client nonce + the server's whole nonce.</summary>
    public byte[] ClientFinal(byte[] serverFirstBytes, bool librdkafkaNonce = false)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var attributes = serverFirst.Split(',').ToDictionary(a => a[0], a => a[2..]);
        var salted = mechanism.SaltedPassword(password, Convert.FromBase64String(attributes['s']), int.Parse(attributes['i']));
        var clientKey = mechanism.Hmac(salted, "Client Key"u8);
        var storedKey = mechanism.Digest(clientKey);
        var withoutProof = $"c=biws,r={(librdkafkaNonce ? clientNonce : "")}{attributes['r']}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{withoutProof}");
        var signature = mechanism.Hmac(storedKey, authMessage);
        var proof = clientKey.Select((b, i) => (byte)(b ^ signature[i])).ToArray();
        _serverSignature = mechanism.Hmac(mechanism.Hmac(salted, "Server Key"u8), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    public bool VerifyServerFinal(byte[] serverFinal) =>
        Encoding.UTF8.GetString(serverFinal) == "v=" + Convert.ToBase64String(_serverSignature);
}
