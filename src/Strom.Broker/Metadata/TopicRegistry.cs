using System.Text.Json;
using System.Text.Json.Serialization;
using Strom.Protocol;

namespace Strom.Broker.Metadata;

/// <summary>A topic as the cluster knows it: id, partition count and its config overrides.</summary>
public sealed record TopicMetadata(string Name, Uuid TopicId, int PartitionCount, IReadOnlyDictionary<string, string> Configs)
{
    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);
}

/// <summary>
/// The durable list of topics. Each change is written to a new file, fsynced and renamed over
/// the old one, so a crash leaves either the old or the new state, never a torn one.
/// </summary>
public sealed class TopicRegistry
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private Dictionary<string, TopicMetadata> _byName = new(StringComparer.Ordinal);
    private Dictionary<Uuid, TopicMetadata> _byId = [];

    public TopicRegistry(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllBytes(path), TopicRegistryJson.Default.StoredTopicsFile)
                ?? throw new InvalidDataException($"{path} is empty");
            foreach (var t in stored.Topics)
            {
                var topic = new TopicMetadata(t.Name, Uuid.Parse(t.TopicId), t.Partitions, t.Configs);
                _byName[topic.Name] = topic;
                _byId[topic.TopicId] = topic;
            }
        }
    }

    /// <summary>Changes at most once per mutation; readers take a consistent snapshot.</summary>
    public IReadOnlyCollection<TopicMetadata> All
    {
        get
        {
            lock (_lock)
            {
                return _byName.Values.ToArray();
            }
        }
    }

    public bool TryGet(string name, out TopicMetadata topic)
    {
        lock (_lock)
        {
            return _byName.TryGetValue(name, out topic!);
        }
    }

    public bool TryGet(Uuid id, out TopicMetadata topic)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(id, out topic!);
        }
    }

    /// <summary>Adds a topic; returns false when one of that name exists.</summary>
    public bool TryAdd(string name, int partitions, IReadOnlyDictionary<string, string> configs, out TopicMetadata topic)
    {
        lock (_lock)
        {
            if (_byName.TryGetValue(name, out topic!))
            {
                return false;
            }
            topic = new TopicMetadata(name, Uuid.NewRandom(), partitions, new Dictionary<string, string>(configs));
            Commit(topic, null);
            return true;
        }
    }

    public void Update(TopicMetadata topic)
    {
        lock (_lock)
        {
            Commit(topic, null);
        }
    }

    public bool Remove(string name)
    {
        lock (_lock)
        {
            if (!_byName.TryGetValue(name, out var topic))
            {
                return false;
            }
            Commit(null, topic);
            return true;
        }
    }

    private void Commit(TopicMetadata? upsert, TopicMetadata? remove)
    {
        var byName = new Dictionary<string, TopicMetadata>(_byName, StringComparer.Ordinal);
        var byId = new Dictionary<Uuid, TopicMetadata>(_byId);
        if (remove is not null)
        {
            byName.Remove(remove.Name);
            byId.Remove(remove.TopicId);
        }
        if (upsert is not null)
        {
            byName[upsert.Name] = upsert;
            byId[upsert.TopicId] = upsert;
        }
        var file = new StoredTopicsFile
        {
            Topics = byName.Values.OrderBy(t => t.Name, StringComparer.Ordinal)
                .Select(t => new StoredTopic { Name = t.Name, TopicId = t.TopicId.ToString(), Partitions = t.PartitionCount, Configs = new(t.Configs) })
                .ToList(),
        };
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, TopicRegistryJson.Default.StoredTopicsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        _byName = byName;
        _byId = byId;
    }
}

internal sealed class StoredTopicsFile
{
    public int Version { get; set; } = 1;
    public List<StoredTopic> Topics { get; set; } = [];
}

internal sealed class StoredTopic
{
    public string Name { get; set; } = "";
    public string TopicId { get; set; } = "";
    public int Partitions { get; set; }
    public Dictionary<string, string> Configs { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredTopicsFile))]
internal sealed partial class TopicRegistryJson : JsonSerializerContext;
