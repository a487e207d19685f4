using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strom.SchemaRegistry;
using Strom.SchemaRegistry.Storage;

namespace Strom.Server;

/// <summary>
/// How the host runs the Schema Registry: its own Kestrel listener on schema.registry.listeners,
/// its state in the _schemas topic of the Kafka cluster at <c>bootstrapServers</c> (the in-process
/// broker's own listener, or any cluster when run alone with <c>--only schema-registry</c>).
/// Keys: schema.registry.enable (default: true), schema.registry.listeners, kafkastore.topic,
/// schema.compatibility.level, and client keys prefixed kafkastore. (e.g. kafkastore.client.id).
/// </summary>
public static class SchemaRegistryWiring
{
    /// <summary>schema.registry.enable: whether `strom server` starts the registry (default: true).</summary>
    public static bool IsEnabled(IReadOnlyDictionary<string, string> config) =>
        !config.TryGetValue("schema.registry.enable", out var value) || !value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Kafka cluster the registry stores into when run alone: kafkastore.bootstrap.servers, else bootstrap.servers (default: 127.0.0.1:9092).</summary>
    public static string StandaloneBootstrap(IReadOnlyDictionary<string, string> config) =>
        config.GetValueOrDefault("kafkastore.bootstrap.servers") ?? config.GetValueOrDefault("bootstrap.servers") ?? "127.0.0.1:9092";

    /// <summary>Starts the registry; returns once the store is replayed and the listener is bound (it logs where).</summary>
    public static Task<SchemaRegistryHost> StartAsync(IReadOnlyDictionary<string, string> config, string bootstrapServers,
        Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default)
    {
        var options = SchemaRegistryOptions.FromConfig(config);
        var clientConfig = new Dictionary<string, string>(StringComparer.Ordinal) { ["client.id"] = "strom-schema-registry" };
        foreach (var (key, value) in config)
        {
            if (key.StartsWith("kafkastore.", StringComparison.Ordinal) && key is not "kafkastore.topic")
            {
                clientConfig[key["kafkastore.".Length..]] = value;
            }
        }
        clientConfig["bootstrap.servers"] = bootstrapServers;
        return SchemaRegistryHost.StartAsync(options,
            sp => new KafkaSchemaStore(clientConfig, options.Topic, sp.GetRequiredService<ILoggerFactory>().CreateLogger<KafkaSchemaStore>()),
            configureLogging, cancellationToken);
    }
}
