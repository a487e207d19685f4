using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Strom.Interop.Tests;

/// <summary>
/// The real <c>strom server</c> as a child process (<c>dotnet strom.dll server --set ...</c>), so
/// that a test can SIGKILL it: no shutdown hook, no flush, no clean-shutdown marker. The project
/// builds Strom.Cli first and records where its strom.dll is (assembly metadata "StromCli").
/// </summary>
public sealed class StromServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly LiveProcess _process;

    private StromServerProcess(LiveProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    public static string CliPath
    {
        get
        {
            var path = typeof(StromServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "StromCli")?.Value;
            Assert.True(path is not null && File.Exists(path), $"strom.dll not found at '{path}': build src/Strom.Cli first");
            return path!;
        }
    }

    /// <summary>A port that was free a moment ago (the broker binds it; restarts reuse it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the server on 127.0.0.1:<paramref name="port"/> with its data in <paramref name="dataDirectory"/>, and waits until it accepts connections.</summary>
    public static async Task<StromServerProcess> StartAsync(string dataDirectory, int port, IReadOnlyDictionary<string, string>? config = null)
    {
        var server = Launch(dataDirectory, port, config);
        try
        {
            await server.WaitUntilListeningAsync();
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>Starts the server without waiting for it (to kill it while it starts up).</summary>
    public static StromServerProcess Launch(string dataDirectory, int port, IReadOnlyDictionary<string, string>? config = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["log.dirs"] = dataDirectory,
            ["listeners"] = $"PLAINTEXT://127.0.0.1:{port}",
            ["schema.registry.enable"] = "false",
        };
        foreach (var (key, value) in config ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        List<string> arguments = [CliPath, "server"];
        foreach (var (key, value) in settings)
        {
            arguments.Add("--set");
            arguments.Add($"{key}={value}");
        }
        Directory.CreateDirectory(dataDirectory);
        return new StromServerProcess(LiveProcess.Start("dotnet", arguments, dataDirectory), port);
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            Assert.False(_process.HasExited, $"strom server exited while starting:\n{_process.Describe()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Assert.True(DateTime.UtcNow < deadline, $"strom server did not listen on {Port} within {StartTimeout}:\n{_process.Describe()}");
                await Task.Delay(50);
            }
        }
    }

    /// <summary>SIGKILL, then waits until the process is gone.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public string Describe() => _process.Describe();

    public void Dispose() => _process.Dispose();
}
