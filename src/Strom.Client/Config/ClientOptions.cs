namespace Strom.Client.Config;

/// <summary>
/// Settings every client shares, named after Kafka's own config keys. Build from a dictionary
/// with <see cref="FromConfig"/>; keys this client does not know are ignored, as Kafka's do.
/// </summary>
public sealed record ClientOptions
{
    /// <summary><c>bootstrap.servers</c>: host:port pairs, comma separated (default: 127.0.0.1:9092).</summary>
    public IReadOnlyList<string> BootstrapServers { get; init; } = ["127.0.0.1:9092"];

    /// <summary><c>client.id</c> (default: strom).</summary>
    public string ClientId { get; init; } = "strom";

    /// <summary><c>request.timeout.ms</c>: how long to wait for one response (default: 30000).</summary>
    public int RequestTimeoutMs { get; init; } = 30_000;

    /// <summary><c>socket.connection.setup.timeout.ms</c>: TCP connect timeout (default: 10000).</summary>
    public int ConnectTimeoutMs { get; init; } = 10_000;

    /// <summary><c>retry.backoff.ms</c>: first wait before a retry (default: 100).</summary>
    public int RetryBackoffMs { get; init; } = 100;

    /// <summary><c>retry.backoff.max.ms</c>: the exponential backoff's ceiling (default: 1000).</summary>
    public int RetryBackoffMaxMs { get; init; } = 1000;

    /// <summary><c>metadata.max.age.ms</c>: refresh metadata at least this often (default: 300000).</summary>
    public int MetadataMaxAgeMs { get; init; } = 300_000;

    /// <summary><c>allow.auto.create.topics</c>: let Metadata requests create topics (default: true).</summary>
    public bool AllowAutoCreateTopics { get; init; } = true;

    /// <summary><c>security.protocol</c>, <c>ssl.*</c> and <c>sasl.*</c> (default: PLAINTEXT).</summary>
    public SecurityOptions Security { get; init; } = new();

    public static ClientOptions FromConfig(IReadOnlyDictionary<string, string> config)
    {
        var r = new ConfigReader(config);
        var defaults = new ClientOptions();
        return new ClientOptions
        {
            BootstrapServers = r.String("bootstrap.servers") is { } servers
                ? servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : defaults.BootstrapServers,
            ClientId = r.String("client.id", defaults.ClientId),
            RequestTimeoutMs = r.Int("request.timeout.ms", defaults.RequestTimeoutMs, 1),
            ConnectTimeoutMs = r.Int("socket.connection.setup.timeout.ms", defaults.ConnectTimeoutMs, 1),
            RetryBackoffMs = r.Int("retry.backoff.ms", defaults.RetryBackoffMs, 0),
            RetryBackoffMaxMs = r.Int("retry.backoff.max.ms", defaults.RetryBackoffMaxMs, 0),
            MetadataMaxAgeMs = r.Int("metadata.max.age.ms", defaults.MetadataMaxAgeMs, 0),
            AllowAutoCreateTopics = r.Bool("allow.auto.create.topics", defaults.AllowAutoCreateTopics),
            Security = SecurityOptions.Read(r),
        };
    }

    /// <summary>Exponential backoff for the n-th retry (n from 0), capped, with +-20% jitter as Kafka does.</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var ms = Math.Min((double)RetryBackoffMaxMs, RetryBackoffMs * Math.Pow(2, Math.Min(attempt, 20)));
        ms *= 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Max(ms, 1));
    }
}
