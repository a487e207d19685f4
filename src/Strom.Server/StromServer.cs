using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strom.Broker;
using Strom.Broker.Network;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Strom.Broker.Options;
using Strom.Broker.Security;
using Strom.SchemaRegistry;

namespace Strom.Server;

/// <summary>
/// The Strom host: one ASP.NET Core application whose Kestrel serves every listener. The
/// Kafka listeners hand their connections to <see cref="KafkaConnectionHandler"/>.
/// </summary>
public sealed partial class StromServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(Listener Listener, ListenOptions Options)> _kafkaListeners = [];
    private readonly ILogger _logger;
    private readonly Action<ILoggingBuilder>? _configureLogging;

    private StromServer(BrokerConfig config, Action<ILoggingBuilder>? configureLogging)
    {
        _configureLogging = configureLogging;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }
        builder.WebHost.UseKestrelCore();
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.AddSingleton(sp => new KafkaBroker(config, sp.GetRequiredService<ILoggerFactory>()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // A Kafka request may be up to socket.request.max.bytes; the connection pipe must hold one whole frame.
            kestrel.Limits.MaxRequestBufferSize = null;
            kestrel.AddServerHeader = false;
            foreach (var listener in config.Listeners)
            {
                var name = listener.Name;
                // The broker resolved every listener's TLS and SASL settings once, failing on a bad keystore.
                var security = kestrel.ApplicationServices.GetRequiredService<KafkaBroker>().SecurityByListener[name];
                void Configure(ListenOptions options)
                {
                    options.Use(next => connection =>
                    {
                        connection.Features.Set(new ListenerNameFeature(name));
                        return next(connection);
                    });
                    if (security.Ssl is { } ssl)
                    {
                        options.UseHttps(TlsOptions(ssl));
                    }
                    options.UseConnectionHandler<KafkaConnectionHandler>();
                    _kafkaListeners.Add((listener, options));
                }
                kestrel.Listen(ResolveEndPoint(listener), Configure);
            }
        });
        _app = builder.Build();
        _logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Strom.Server");
        Broker = _app.Services.GetRequiredService<KafkaBroker>();
        _app.Lifetime.ApplicationStopping.Register(Broker.BeginShutdown);
    }

    public KafkaBroker Broker { get; }

    /// <summary>The Schema Registry started next to the broker (null when schema.registry.enable=false or before start).</summary>
    public SchemaRegistryHost? SchemaRegistry { get; private set; }

    /// <summary>The Kafka listeners with the ports they actually bound (after start).</summary>
    public IReadOnlyList<(Listener Listener, IPEndPoint EndPoint)> BoundListeners =>
        _kafkaListeners.Select(l => (l.Listener, (IPEndPoint)l.Options.EndPoint)).ToArray();

    public static StromServer Create(BrokerConfig config, Action<ILoggingBuilder>? configureLogging = null) => new(config, configureLogging);

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Broker.Start();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (listener, endPoint) in BoundListeners)
        {
            Broker.SetBoundPort(listener.Name, endPoint.Port);
        }
        LogListening(_logger, string.Join(", ", BoundListeners.Select(l => $"{l.Listener.Name}://{l.EndPoint}")), string.Join(", ", Broker.Config.LogDirs));
        if (SchemaRegistryWiring.IsEnabled(Broker.Config.Explicit))
        {
            SchemaRegistry = await SchemaRegistryWiring.StartAsync(Broker.Config.Explicit, OwnBootstrap(), _configureLogging, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (SchemaRegistry is { } registry)
        {
            SchemaRegistry = null;
            await registry.StopAsync(cancellationToken).ConfigureAwait(false);
            await registry.DisposeAsync().ConfigureAwait(false);
        }
        Broker.BeginShutdown();
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (SchemaRegistry is { } registry)
        {
            SchemaRegistry = null;
            await registry.DisposeAsync().ConfigureAwait(false);
        }
        // Disposing the application disposes the broker (a singleton): logs are flushed and closed cleanly.
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A bootstrap address for in-process clients: the first Kafka listener, wildcards read as loopback.</summary>
    private string OwnBootstrap()
    {
        var endPoint = BoundListeners.First(l => l.Listener.Name != "CONTROLLER").EndPoint;
        var address = endPoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endPoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : endPoint.Address;
        return new IPEndPoint(address, endPoint.Port).ToString();
    }

    /// <summary>Kestrel's TLS for an SSL or SASL_SSL listener; it serves any connection handler, not only HTTP.</summary>
    private static HttpsConnectionAdapterOptions TlsOptions(SslSettings ssl) => new()
    {
        ServerCertificate = ssl.Certificate,
        ServerCertificateChain = ssl.Chain,
        SslProtocols = ssl.Protocols,
        ClientCertificateMode = ssl.ClientAuth switch
        {
            SslClientAuth.Required => ClientCertificateMode.RequireCertificate,
            SslClientAuth.Requested => ClientCertificateMode.AllowCertificate,
            _ => ClientCertificateMode.NoCertificate,
        },
        // Client certificates are checked against ssl.truststore.* only, as Kafka does.
        ClientCertificateValidation = (certificate, _, _) => ssl.ValidateClientCertificate(certificate),
    };

    private static IPEndPoint ResolveEndPoint(Listener listener)
    {
        if (string.IsNullOrEmpty(listener.Host) || listener.Host is "0.0.0.0")
        {
            return new IPEndPoint(IPAddress.Any, listener.Port);
        }
        if (listener.Host is "::")
        {
            return new IPEndPoint(IPAddress.IPv6Any, listener.Port);
        }
        if (listener.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, listener.Port);
        }
        if (IPAddress.TryParse(listener.Host, out var address))
        {
            return new IPEndPoint(address, listener.Port);
        }
        var resolved = Dns.GetHostAddresses(listener.Host);
        return resolved.Length > 0
            ? new IPEndPoint(resolved[0], listener.Port)
            : throw new ConfigException($"Listener {listener}: cannot resolve host {listener.Host}");
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Strom listening on {Listeners}; data directory {LogDirs}")]
    private static partial void LogListening(ILogger logger, string listeners, string logDirs);
}
