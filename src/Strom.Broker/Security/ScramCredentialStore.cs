using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strom.Broker.Security;

/// <summary>
/// SCRAM credentials per user and mechanism (KIP-554), kept in
/// __cluster_metadata/scram-credentials.json next to topics.json: salt, StoredKey, ServerKey
/// and iterations only, never a password. Each change writes a new file, fsyncs it and renames
/// it over the old one, as the topic registry does.
/// </summary>
public sealed class ScramCredentialStore
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private Dictionary<string, Dictionary<string, ScramCredential>> _users = new(StringComparer.Ordinal);

    public ScramCredentialStore(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            return;
        }
        var stored = JsonSerializer.Deserialize(File.ReadAllBytes(path), ScramCredentialJson.Default.StoredScramFile)
            ?? throw new InvalidDataException($"{path} is empty");
        foreach (var c in stored.Credentials)
        {
            if (!_users.TryGetValue(c.User, out var byMechanism))
            {
                _users[c.User] = byMechanism = new(StringComparer.Ordinal);
            }
            byMechanism[c.Mechanism] = new ScramCredential(
                Convert.FromBase64String(c.Salt), Convert.FromBase64String(c.StoredKey), Convert.FromBase64String(c.ServerKey), c.Iterations);
        }
    }

    public ScramCredential? Find(string user, ScramMechanism mechanism)
    {
        lock (_lock)
        {
            return _users.TryGetValue(user, out var byMechanism) && byMechanism.TryGetValue(mechanism.Name, out var credential) ? credential : null;
        }
    }

    /// <summary>Mechanism and iterations of every credential of a user (empty when unknown).</summary>
    public IReadOnlyList<(ScramMechanism Mechanism, int Iterations)> Describe(string user)
    {
        lock (_lock)
        {
            return _users.TryGetValue(user, out var byMechanism)
                ? byMechanism.Select(kv => (ScramMechanism.FromName(kv.Key)!, kv.Value.Iterations)).OrderBy(m => m.Item1.Code).ToArray()
                : [];
        }
    }

    public IReadOnlyList<string> Users
    {
        get
        {
            lock (_lock)
            {
                return _users.Keys.Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>Applies upserts (credential set) and deletions (null) together and persists once.</summary>
    public void Apply(IEnumerable<(string User, ScramMechanism Mechanism, ScramCredential? Credential)> changes)
    {
        var list = changes.ToList();
        if (list.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            var users = _users.ToDictionary(kv => kv.Key, kv => new Dictionary<string, ScramCredential>(kv.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (user, mechanism, credential) in list)
            {
                if (!users.TryGetValue(user, out var byMechanism))
                {
                    users[user] = byMechanism = new(StringComparer.Ordinal);
                }
                if (credential is null)
                {
                    byMechanism.Remove(mechanism.Name);
                    if (byMechanism.Count == 0)
                    {
                        users.Remove(user);
                    }
                }
                else
                {
                    byMechanism[mechanism.Name] = credential;
                }
            }
            Persist(users);
            _users = users;
        }
    }

    private void Persist(Dictionary<string, Dictionary<string, ScramCredential>> users)
    {
        var file = new StoredScramFile
        {
            Credentials = users.OrderBy(u => u.Key, StringComparer.Ordinal)
                .SelectMany(u => u.Value.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new StoredScramCredential
                {
                    User = u.Key,
                    Mechanism = m.Key,
                    Iterations = m.Value.Iterations,
                    Salt = Convert.ToBase64String(m.Value.Salt),
                    StoredKey = Convert.ToBase64String(m.Value.StoredKey),
                    ServerKey = Convert.ToBase64String(m.Value.ServerKey),
                }))
                .ToList(),
        };
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, ScramCredentialJson.Default.StoredScramFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}

internal sealed class StoredScramFile
{
    public int Version { get; set; } = 1;
    public List<StoredScramCredential> Credentials { get; set; } = [];
}

internal sealed class StoredScramCredential
{
    public string User { get; set; } = "";
    public string Mechanism { get; set; } = "";
    public int Iterations { get; set; }
    public string Salt { get; set; } = "";
    public string StoredKey { get; set; } = "";
    public string ServerKey { get; set; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredScramFile))]
internal sealed partial class ScramCredentialJson : JsonSerializerContext;
