using System.CommandLine;
using Strom.Broker.Options;
using Strom.Server;

namespace Strom.Cli.Commands;

/// <summary><c>strom server</c>: runs the broker and the side services in one process, or one service alone with --only.</summary>
public static class ServerCommand
{
    public static Command Create()
    {
        var configFile = new Option<FileInfo?>("--config", "-c") { Description = "A server.properties-style file of Kafka config keys" };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set key=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var only = new Option<string?>("--only")
        {
            Description = "Run one service alone: schema-registry (stores into the cluster at bootstrap.servers)",
        };
        only.AcceptOnlyFromAmong("schema-registry");
        var command = new Command("server", "Run a Strom broker (data in ./data unless log.dirs says otherwise) with its Schema Registry") { configFile, set, only };
        command.SetAction(async (parse, cancellationToken) =>
        {
            Dictionary<string, string> values;
            try
            {
                values = parse.GetValue(configFile) is { } file
                    ? BrokerConfig.ReadPropertiesFile(file.FullName)
                    : new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in parse.GetValue(set) ?? [])
                {
                    var eq = pair.IndexOf('=');
                    if (eq <= 0)
                    {
                        throw new ConfigException($"--set expects key=value, got '{pair}'");
                    }
                    values[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
                }
                if (parse.GetValue(only) is "schema-registry")
                {
                    await using var registry = await SchemaRegistryWiring.StartAsync(values, SchemaRegistryWiring.StandaloneBootstrap(values), cancellationToken: cancellationToken);
                    await registry.WaitForShutdownAsync(cancellationToken);
                    return 0;
                }
                var config = new BrokerConfig(values);
                await using var server = StromServer.Create(config);
                await server.StartAsync(cancellationToken);
                await server.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            catch (Exception ex) when (ex is ConfigException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or Strom.Client.KafkaException)
            {
                await Console.Error.WriteLineAsync($"strom server: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
