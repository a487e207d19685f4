namespace Strom.Protocol.Records;

/// <summary>Per-topic rules a Produce request's records are checked against (Kafka's topic config keys).</summary>
public readonly record struct ValidationOptions
{
    public ValidationOptions()
    {
    }

    /// <summary>max.message.bytes: largest batch, log overhead included (default: 1048588).</summary>
    public int MaxMessageBytes { get; init; } = 1048588;

    /// <summary>message.timestamp.type (default: CreateTime). LogAppendTime skips timestamp checks.</summary>
    public TimestampType TimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary>message.timestamp.before.max.ms: how far in the past a CreateTime may be (default: unlimited).</summary>
    public long TimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary>message.timestamp.after.max.ms: how far in the future a CreateTime may be (default: unlimited).</summary>
    public long TimestampAfterMaxMs { get; init; } = long.MaxValue;

    /// <summary>The broker's clock, epoch milliseconds, for the timestamp checks.</summary>
    public long NowMs { get; init; }

    /// <summary>Compacted topics: every record needs a key (InvalidRecord). Forces a deep check.</summary>
    public bool RequireKeys { get; init; }

    /// <summary>Also decompress and walk the records of compressed batches (uncompressed ones are always walked).</summary>
    public bool DeepCheckCompressed { get; init; }

    /// <summary>Produce with magic 2 carries exactly one batch per partition (default: true).</summary>
    public bool RequireSingleBatch { get; init; } = true;

    /// <summary>Clients may not write control batches; replication and the coordinator may (default: false).</summary>
    public bool AllowControlBatches { get; init; }

    /// <summary>Cap on one batch's decompressed records (default: 64 MiB).</summary>
    public int MaxDecompressedBytes { get; init; } = RecordBatchReader.DefaultMaxDecompressedBytes;
}

/// <summary>What <see cref="RecordBatchValidator"/> found. On failure, <see cref="Error"/> and <see cref="ErrorMessage"/> say why.</summary>
public struct ValidationResult
{
    public ErrorCode Error;
    public string? ErrorMessage;

    /// <summary>Magic of the first batch; 0 or 1 with <see cref="ErrorCode.UnsupportedForMessageFormat"/> means a legacy message set (convert it).</summary>
    public sbyte Magic;
    public int BatchCount;
    public int RecordCount;
    /// <summary>Offsets the records will take (sum of lastOffsetDelta + 1 over batches).</summary>
    public long OffsetCount;
    public long MaxTimestamp;
    /// <summary>Position of the record with <see cref="MaxTimestamp"/> among the offsets to be assigned (0 = first).</summary>
    public long MaxTimestampOffsetDelta;
    public CompressionType Compression;
    public long ProducerId;
    public short ProducerEpoch;
    public int FirstSequence;
    public int LastSequence;
    public bool IsTransactional;
    public bool IsControl;
}
