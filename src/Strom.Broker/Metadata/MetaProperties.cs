using Strom.Protocol;

namespace Strom.Broker.Metadata;

/// <summary>
/// meta.properties in each log dir, as Kafka writes it: the cluster id, node id and a
/// directory id. Created on first start; a later start refuses a directory of another node.
/// </summary>
public static class MetaProperties
{
    public const string FileName = "meta.properties";

    public static string LoadOrCreate(IReadOnlyList<string> logDirs, int nodeId, string? configuredClusterId)
    {
        string? clusterId = configuredClusterId;
        foreach (var dir in logDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                continue;
            }
            var props = File.ReadAllLines(path)
                .Where(l => l.Length > 0 && l[0] != '#' && l.Contains('='))
                .ToDictionary(l => l[..l.IndexOf('=')].Trim(), l => l[(l.IndexOf('=') + 1)..].Trim());
            if (props.TryGetValue("node.id", out var storedNode) && storedNode != nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new Options.ConfigException($"{path} belongs to node {storedNode}, but node.id is {nodeId}");
            }
            if (props.TryGetValue("cluster.id", out var storedCluster))
            {
                if (clusterId is not null && clusterId != storedCluster)
                {
                    throw new Options.ConfigException($"{path} belongs to cluster {storedCluster}, but cluster.id is {clusterId}");
                }
                clusterId = storedCluster;
            }
        }
        clusterId ??= Uuid.NewRandom().ToString();
        foreach (var dir in logDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                File.WriteAllText(path,
                    $"#\n#Written by Strom\nnode.id={nodeId}\ndirectory.id={Uuid.NewRandom()}\nversion=1\ncluster.id={clusterId}\n");
            }
        }
        return clusterId;
    }
}
