using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strom.SchemaRegistry.Cluster;
using Strom.SchemaRegistry.Http;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry;

public static class SchemaRegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SchemaRegistryService"/> over the given store (in memory when none) and
    /// replays the store when the host starts. Pair with <see cref="SchemaRegistryEndpoints.MapSchemaRegistry"/>.
    /// </summary>
    public static IServiceCollection AddSchemaRegistry(this IServiceCollection services, SchemaRegistryOptions options,
        Func<IServiceProvider, ISchemaStore>? store = null)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => new SchemaRegistryService(
            store?.Invoke(sp) ?? new InMemorySchemaStore(), options, sp.GetRequiredService<ILogger<SchemaRegistryService>>()));
        services.AddHostedService<SchemaRegistryStartup>();
        return services;
    }

    private sealed class SchemaRegistryStartup(SchemaRegistryService registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => registry.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>
/// The registry as its own Kestrel server on <see cref="SchemaRegistryOptions.Listeners"/>
/// (comma-separated http://host:port; port 0 picks a free port): what `strom server` starts next to
/// the broker, and what `--only schema-registry` runs alone.
/// </summary>
public sealed partial class SchemaRegistryHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private LeaderElector? _elector;

    private SchemaRegistryHost(WebApplication app) => _app = app;

    /// <summary>The leader election this instance takes part in; null when it is the only writer of its store.</summary>
    public LeaderElector? Elector => _elector;

    public SchemaRegistryService Registry => _app.Services.GetRequiredService<SchemaRegistryService>();

    /// <summary>The addresses actually bound, e.g. http://127.0.0.1:40123.</summary>
    public IReadOnlyList<Uri> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    /// <param name="electionConfig">
    /// Kafka client config (bootstrap.servers, ...) of the cluster holding the store: when given, this
    /// instance elects a writer with its peers in <see cref="SchemaRegistryOptions.GroupId"/> and
    /// forwards writes to it. The store should then be shared (<see cref="KafkaSchemaStore.Shared"/>).
    /// </param>
    public static async Task<SchemaRegistryHost> StartAsync(SchemaRegistryOptions options, Func<IServiceProvider, ISchemaStore>? store = null,
        Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string>? electionConfig = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = SchemaRegistryEndpoints.MaxBodyBytes + 1024;
            foreach (var endPoint in ParseListeners(options.Listeners))
            {
                kestrel.Listen(endPoint);
            }
        });
        builder.Services.AddSchemaRegistry(options, store);
        var slot = new ElectorSlot();
        if (electionConfig is not null)
        {
            builder.Services.AddSingleton(slot);
        }
        var app = builder.Build();
        app.UseIdLookupFastPath();
        app.UseRouting();
        app.MapSchemaRegistry();
        app.MapSchemaRegistryFallback();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var host = new SchemaRegistryHost(app);
        if (electionConfig is not null)
        {
            var registry = host.Registry;
            var elector = new LeaderElector(electionConfig, options.GroupId, host.AdvertisedIdentity(options),
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<LeaderElector>())
            {
                Elected = registry.CatchUpAsync,
            };
            host._elector = elector;
            slot.Elector = elector;
            elector.Start();
            // An eligible instance serves once a writer is known, so that its first writes are not refused with 50004.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(options.LeaderEligibility ? TimeSpan.FromSeconds(30) : TimeSpan.Zero);
            try
            {
                await elector.WaitForLeaderAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No leader yet (none eligible, or the cluster is slow): writes answer 50004 until there is one.
            }
        }
        LogListening(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Strom.SchemaRegistry"), string.Join(", ", host.Addresses));
        return host;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await StopElectionAsync().ConfigureAwait(false);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StopElectionAsync()
    {
        if (Interlocked.Exchange(ref _elector, null) is { } elector)
        {
            await elector.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The URL peers forward to: host.name (else the listener's host; 127.0.0.1 for a wildcard) and the bound port.</summary>
    private RegistryIdentity AdvertisedIdentity(SchemaRegistryOptions options)
    {
        var bound = Addresses[0];
        var host = options.HostName ?? (bound.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : bound.Host);
        return new RegistryIdentity(1, host, bound.Port, bound.Scheme, options.LeaderEligibility);
    }

    /// <summary>Completes when the host is shut down (Ctrl+C, SIGTERM, <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopElectionAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Parses schema.registry.listeners: http://host:port, comma-separated.</summary>
    public static IReadOnlyList<IPEndPoint> ParseListeners(string listeners)
    {
        var result = new List<IPEndPoint>();
        foreach (var item in listeners.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(item, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                throw new ArgumentException($"schema.registry.listeners: '{item}' is not an http://host:port address (https is not supported yet)");
            }
            var host = uri.Host.Trim('[', ']');
            var address = host switch
            {
                "" or "0.0.0.0" => IPAddress.Any,
                "::" => IPAddress.IPv6Any,
                "localhost" => IPAddress.Loopback,
                _ => IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).FirstOrDefault()
                    ?? throw new ArgumentException($"schema.registry.listeners: cannot resolve {host}"),
            };
            result.Add(new IPEndPoint(address, uri.Port));
        }
        return result;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Schema registry listening on {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);
}
