using Strom.Protocol.Records;

namespace Strom.Client.Config;

/// <summary>Producer settings by Kafka's keys; defaults are Kafka 4.0's.</summary>
public sealed record ProducerOptions
{
    public ClientOptions Client { get; init; } = new();

    /// <summary><c>acks</c>: 0, 1 or -1 ("all") (default: all).</summary>
    public short Acks { get; init; } = -1;

    /// <summary><c>linger.ms</c>: wait this long for a batch to fill (default: 5).</summary>
    public int LingerMs { get; init; } = 5;

    /// <summary><c>batch.size</c>: bytes per partition batch before it is sent (default: 16384).</summary>
    public int BatchSize { get; init; } = 16_384;

    /// <summary><c>compression.type</c>: none, gzip, snappy, lz4, zstd (default: none).</summary>
    public CompressionType CompressionType { get; init; } = CompressionType.None;

    /// <summary><c>delivery.timeout.ms</c>: give up on a record after this long, retries included (default: 120000).</summary>
    public int DeliveryTimeoutMs { get; init; } = 120_000;

    /// <summary><c>max.request.size</c>: largest produce request, and so largest record (default: 1048576).</summary>
    public int MaxRequestSize { get; init; } = 1_048_576;

    /// <summary>
    /// <c>max.in.flight.requests.per.connection</c>: unanswered produce requests per broker, and so
    /// batches of one partition in flight (default: 5). Without idempotence a retried batch may
    /// land after a later one unless this is 1, as with Kafka's Java producer.
    /// </summary>
    public int MaxInFlightRequestsPerConnection { get; init; } = 5;

    /// <summary><c>partitioner.ignore.keys</c>: spread keyed records as if keyless (default: false).</summary>
    public bool PartitionerIgnoreKeys { get; init; }

    /// <summary>
    /// <c>enable.idempotence</c>: producer id and per-partition sequence numbers, so retries never
    /// duplicate or reorder (default: on unless acks or max.in.flight conflict, as in Java since 3.2;
    /// null means that default).
    /// </summary>
    public bool? EnableIdempotence { get; init; }

    /// <summary>Whether this producer is idempotent: explicitly, or by default when acks=all and at most 5 requests in flight.</summary>
    public bool IsIdempotent => EnableIdempotence ?? (Acks == -1 && MaxInFlightRequestsPerConnection <= 5);

    public static ProducerOptions FromConfig(IReadOnlyDictionary<string, string> config)
    {
        var r = new ConfigReader(config);
        var d = new ProducerOptions();
        return new ProducerOptions
        {
            Client = ClientOptions.FromConfig(config),
            Acks = ParseAcks(r.String("acks")) ?? d.Acks,
            LingerMs = r.Int("linger.ms", d.LingerMs, 0),
            BatchSize = r.Int("batch.size", d.BatchSize, 0),
            CompressionType = r.Enum("compression.type", d.CompressionType, ParseCompression),
            DeliveryTimeoutMs = r.Int("delivery.timeout.ms", d.DeliveryTimeoutMs, 1),
            MaxRequestSize = r.Int("max.request.size", d.MaxRequestSize, 1),
            MaxInFlightRequestsPerConnection = r.Int("max.in.flight.requests.per.connection", d.MaxInFlightRequestsPerConnection, 1),
            PartitionerIgnoreKeys = r.Bool("partitioner.ignore.keys", d.PartitionerIgnoreKeys),
            EnableIdempotence = r.String("enable.idempotence") is null ? null : r.Bool("enable.idempotence", true),
        }.Validated();
    }

    /// <summary>Java's checks: an explicitly idempotent producer needs acks=all and at most 5 requests in flight.</summary>
    public ProducerOptions Validated()
    {
        if (EnableIdempotence == true && Acks != -1)
        {
            throw new KafkaConfigException("enable.idempotence=true needs acks=all");
        }
        if (EnableIdempotence == true && MaxInFlightRequestsPerConnection > 5)
        {
            throw new KafkaConfigException("enable.idempotence=true needs max.in.flight.requests.per.connection <= 5");
        }
        return this;
    }

    /// <summary>Kafka's spellings of acks: "all" or "-1", "1", "0".</summary>
    public static short? ParseAcks(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "all" or "-1" => -1,
        "1" => 1,
        "0" => 0,
        _ => throw new KafkaConfigException($"acks must be all, -1, 0 or 1, got '{text}'"),
    };

    public static CompressionType? ParseCompression(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => null,
    };
}
