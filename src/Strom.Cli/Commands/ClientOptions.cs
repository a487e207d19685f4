using System.CommandLine;
using Strom.Client;
using Strom.Client.Config;
using Strom.Protocol;

namespace Strom.Cli.Commands;

/// <summary>What every client command shares: --bootstrap-server, --command-config style overrides, and one-line errors.</summary>
internal static class ClientCommandSupport
{
    public const string DefaultBootstrap = "127.0.0.1:9092";

    public static Option<string> BootstrapOption() => new("--bootstrap-server", "-b")
    {
        Description = $"Broker(s) to connect to, host:port[,host:port] (default: {DefaultBootstrap})",
        DefaultValueFactory = _ => DefaultBootstrap,
    };

    public static Option<string[]> PropertyOption() => new("--property", "-X")
    {
        Description = "A client config key: -X key=value (repeatable), e.g. -X request.timeout.ms=5000",
    };

    /// <summary>Client config from the options: bootstrap servers, client id, and any -X overrides.</summary>
    public static Dictionary<string, string> Config(ParseResult parse, Option<string> bootstrap, Option<string[]> properties)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = parse.GetValue(bootstrap) ?? DefaultBootstrap,
            ["client.id"] = "strom-cli",
            ["request.timeout.ms"] = "15000",
            ["allow.auto.create.topics"] = "false",
        };
        foreach (var (key, value) in ParsePairs(parse.GetValue(properties), "-X"))
        {
            config[key] = value;
        }
        return config;
    }

    /// <summary>Parses key=value arguments; throws a usage error naming the option.</summary>
    public static IEnumerable<(string Key, string Value)> ParsePairs(string[]? pairs, string option)
    {
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"{option} expects key=value, got '{pair}'");
            }
            yield return (pair[..eq].Trim(), pair[(eq + 1)..]);
        }
    }

    /// <summary>Runs a client action; any failure becomes one line on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(CliContext io, string? topic, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception ex) when (ex is KafkaException or KafkaConfigException or UsageException or IOException or UnauthorizedAccessException or FormatException)
        {
            await io.Error.WriteLineAsync($"strom: {Describe(ex, topic)}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string Describe(Exception ex, string? topic) => ex switch
    {
        KafkaException { ErrorCode: ErrorCode.UnknownTopicOrPartition } when topic is not null => $"topic '{topic}' does not exist",
        KafkaException { ErrorCode: ErrorCode.TopicAlreadyExists } when topic is not null => $"topic '{topic}' already exists",
        _ => OneLine(ex.Message),
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

/// <summary>A command line that parses but asks for something impossible.</summary>
internal sealed class UsageException(string message) : Exception(message);
