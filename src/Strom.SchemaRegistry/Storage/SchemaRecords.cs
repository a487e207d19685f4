using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strom.SchemaRegistry.Storage;

/// <summary>
/// The records of the compacted _schemas topic, in Confluent Schema Registry's JSON formats, so a
/// topic written by either registry can be read by the other. Keys:
/// {"keytype":"SCHEMA","subject":s,"version":v,"magic":1}, {"keytype":"CONFIG"|"MODE","subject":s|null,"magic":0},
/// {"keytype":"DELETE_SUBJECT"|"CLEAR_SUBJECT","subject":s,"magic":0}, {"keytype":"NOOP","magic":0}.
/// A SCHEMA value is the registered version (with "deleted" for soft deletes); a null value is a
/// permanent delete of that key.
/// </summary>
public sealed record SchemaRecordKey
{
    [JsonPropertyName("keytype")] public required string KeyType { get; init; }
    [JsonPropertyName("subject")] public string? Subject { get; init; }
    [JsonPropertyName("version")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Version { get; init; }
    [JsonPropertyName("magic")] public int Magic { get; init; }

    public const string Schema = "SCHEMA";
    public const string Config = "CONFIG";
    public const string Mode = "MODE";
    public const string DeleteSubject = "DELETE_SUBJECT";
    public const string ClearSubject = "CLEAR_SUBJECT";
    public const string Noop = "NOOP";

    public static SchemaRecordKey ForSchema(string subject, int version) => new() { KeyType = Schema, Subject = subject, Version = version, Magic = 1 };
    public static SchemaRecordKey ForConfig(string? subject) => new() { KeyType = Config, Subject = subject };
    public static SchemaRecordKey ForMode(string? subject) => new() { KeyType = Mode, Subject = subject };
    public static SchemaRecordKey ForDeleteSubject(string subject) => new() { KeyType = DeleteSubject, Subject = subject };
}

public sealed record SchemaReference
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("subject")] public required string Subject { get; init; }
    [JsonPropertyName("version")] public required int Version { get; init; }
}

public sealed record SchemaRecordValue
{
    [JsonPropertyName("subject")] public required string Subject { get; init; }
    [JsonPropertyName("version")] public required int Version { get; init; }
    [JsonPropertyName("id")] public required int Id { get; init; }
    [JsonPropertyName("schemaType")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SchemaType { get; init; }
    [JsonPropertyName("references")] public IReadOnlyList<SchemaReference> References { get; init; } = [];
    [JsonPropertyName("schema")] public required string Schema { get; init; }
    [JsonPropertyName("deleted")] public bool Deleted { get; init; }

    /// <summary>AVRO when the record leaves the type out, as Confluent does for Avro.</summary>
    [JsonIgnore] public string EffectiveType => SchemaType ?? "AVRO";
}

public sealed record ConfigRecordValue
{
    [JsonPropertyName("compatibilityLevel")] public string? CompatibilityLevel { get; init; }
}

public sealed record ModeRecordValue
{
    [JsonPropertyName("mode")] public required string Mode { get; init; }
}

public sealed record DeleteSubjectRecordValue
{
    [JsonPropertyName("subject")] public required string Subject { get; init; }
    [JsonPropertyName("version")] public int Version { get; init; }
}

/// <summary>One record of the log: key and value as the JSON text stored in the topic (value null for a tombstone).</summary>
public readonly record struct SchemaLogRecord(string Key, string? Value)
{
    internal static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static SchemaLogRecord Create(SchemaRecordKey key, object? value) =>
        new(JsonSerializer.Serialize(key, Json), value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Json));
}
