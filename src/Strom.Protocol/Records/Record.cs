namespace Strom.Protocol.Records;

/// <summary>How a batch's timestamps were set (attributes bit 3; magic 0 has none).</summary>
public enum TimestampType : sbyte
{
    None = -1,
    CreateTime = 0,
    LogAppendTime = 1,
}

/// <summary>A record header: a non-null UTF-8 key and a nullable value.</summary>
public readonly record struct RecordHeader(string Key, byte[]? Value);

/// <summary>
/// One record. <see cref="Offset"/> and <see cref="Timestamp"/> are absolute (the reader
/// fills them from the batch); <see cref="OffsetDelta"/> and <see cref="TimestampDelta"/>
/// are relative to the batch's base offset and base timestamp. A null key or value is
/// distinct from an empty one. A record read from a batch keeps its headers as the encoded
/// bytes and decodes them on each access of <see cref="Headers"/>, so reading records whose
/// headers nobody looks at allocates nothing per record.
/// </summary>
public readonly struct Record
{
    private readonly IReadOnlyList<RecordHeader>? _headers;
    private readonly ReadOnlyMemory<byte> _encodedHeaders;
    private readonly int _headerCount;

    public Record(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null)
    {
        Timestamp = timestamp;
        Key = key;
        Value = value;
        _headers = headers;
    }

    public long Offset { get; init; }
    public long Timestamp { get; init; }
    public int OffsetDelta { get; init; }
    public long TimestampDelta { get; init; }
    public ReadOnlyMemory<byte>? Key { get; init; }
    public ReadOnlyMemory<byte>? Value { get; init; }

    public IReadOnlyList<RecordHeader> Headers
    {
        get => _headers ?? (_headerCount == 0 ? [] : RecordCodec.ReadHeaders(_encodedHeaders.Span, _headerCount));
        init => _headers = value;
    }

    /// <summary>How many headers the record has, without decoding them.</summary>
    public int HeaderCount => _headers?.Count ?? _headerCount;

    /// <summary>Headers still encoded (already validated by the parser): decoded on access.</summary>
    internal ReadOnlyMemory<byte> EncodedHeaders
    {
        init => _encodedHeaders = value;
    }

    internal int EncodedHeaderCount
    {
        init => _headerCount = value;
    }

    public override string ToString() =>
        $"offset={Offset} ts={Timestamp} key={(Key is { } k ? k.Length + "B" : "null")} value={(Value is { } v ? v.Length + "B" : "null")} headers={Headers.Count}";
}
