using Microsoft.Extensions.Logging;
using Strom.Broker.Options;
using Strom.Server;

namespace Strom.Testing;

/// <summary>
/// A real Strom broker in-process on 127.0.0.1, port 0, with a temporary data directory: Kafka
/// in a unit test, no Docker. Restart keeps the data directory and, when it is still free, the
/// port, so clients that cache the bootstrap address reconnect.
/// </summary>
public sealed class StromBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> _config;
    private readonly bool _ownsDirectory;
    private StromServer? _server;

    private StromBroker(Dictionary<string, string> config, string dataDirectory, bool ownsDirectory)
    {
        _config = config;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
    }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>The bound port of a named listener (SSL, SASL_PLAINTEXT, ...).</summary>
    public int PortOf(string listenerName) =>
        _server?.BoundListeners.First(l => l.Listener.Name == listenerName).EndPoint.Port ?? throw new InvalidOperationException("broker stopped");
    public int Port { get; private set; }

    /// <summary>The Schema Registry's base URL (http://127.0.0.1:port) when started with it, else null.</summary>
    public Uri? SchemaRegistryUrl { get; private set; }
    public string DataDirectory { get; }

    /// <summary>What the broker logged at Warning and above (it also goes to the console).</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The running server (null while stopped), for tests that look inside.</summary>
    public StromServer? Server => _server;

    /// <summary>
    /// Starts a broker. <paramref name="config"/> takes Kafka-style keys, e.g. num.partitions. With
    /// <paramref name="schemaRegistry"/> the host's Schema Registry runs too, on 127.0.0.1 port 0.
    /// </summary>
    public static async Task<StromBroker> StartAsync(IReadOnlyDictionary<string, string>? config = null,
        string? dataDirectory = null, CancellationToken cancellationToken = default, bool schemaRegistry = false)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "strom-test-" + Guid.NewGuid().ToString("N")[..12]);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = dataDirectory,
            ["schema.registry.enable"] = schemaRegistry ? "true" : "false",
            ["schema.registry.listeners"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in config ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }
        var broker = new StromBroker(values, dataDirectory, owns);
        await broker.StartServerAsync(cancellationToken).ConfigureAwait(false);
        return broker;
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Clean stop, then start again on the same data directory and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Port != 0)
        {
            _config["listeners"] = $"PLAINTEXT://127.0.0.1:{Port}";
        }
        if (SchemaRegistryUrl is { } url)
        {
            _config["schema.registry.listeners"] = $"http://127.0.0.1:{url.Port}";
        }
        try
        {
            await StartServerAsync(default).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The old ports are taken by now: take any.
            _config["listeners"] = "PLAINTEXT://127.0.0.1:0";
            _config["schema.registry.listeners"] = "http://127.0.0.1:0";
            await StartServerAsync(default).ConfigureAwait(false);
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var server = StromServer.Create(new BrokerConfig(_config), logging =>
            logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole().AddProvider(Logs));
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _server = server;
        Port = server.BoundListeners[0].EndPoint.Port;
        SchemaRegistryUrl = server.SchemaRegistry?.Addresses[0];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
