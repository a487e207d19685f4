using System.Text.Json.Serialization;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry.Http;

// The request and response bodies of Confluent's REST API. schemaType is left out for AVRO and
// references when empty, as Confluent does.

public sealed record RegisterSchemaRequest
{
    [JsonPropertyName("schema")] public string? Schema { get; init; }
    [JsonPropertyName("schemaType")] public string? SchemaType { get; init; }
    [JsonPropertyName("references")] public IReadOnlyList<SchemaReference>? References { get; init; }
    [JsonPropertyName("id")] public int? Id { get; init; }
    [JsonPropertyName("version")] public int? Version { get; init; }
}

public sealed record RegisterSchemaResponse([property: JsonPropertyName("id")] int Id);

public sealed record SchemaVersionResponse
{
    [JsonPropertyName("subject")] public required string Subject { get; init; }
    [JsonPropertyName("version")] public required int Version { get; init; }
    [JsonPropertyName("id")] public required int Id { get; init; }
    [JsonPropertyName("schemaType")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SchemaType { get; init; }
    [JsonPropertyName("references")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<SchemaReference>? References { get; init; }
    [JsonPropertyName("schema")] public required string Schema { get; init; }

    internal static SchemaVersionResponse From(SchemaRecordValue v) => new()
    {
        Subject = v.Subject,
        Version = v.Version,
        Id = v.Id,
        SchemaType = v.EffectiveType == "AVRO" ? null : v.EffectiveType,
        References = v.References.Count == 0 ? null : v.References,
        Schema = v.Schema,
    };
}

public sealed record SchemaByIdResponse
{
    [JsonPropertyName("schemaType")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SchemaType { get; init; }
    [JsonPropertyName("references")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<SchemaReference>? References { get; init; }
    [JsonPropertyName("schema")] public required string Schema { get; init; }
}

public sealed record SubjectVersion([property: JsonPropertyName("subject")] string Subject, [property: JsonPropertyName("version")] int Version);

public sealed record ConfigResponse([property: JsonPropertyName("compatibilityLevel")] string CompatibilityLevel);

public sealed record ConfigUpdate([property: JsonPropertyName("compatibility")] string? Compatibility);

public sealed record ModeBody([property: JsonPropertyName("mode")] string? Mode);

public sealed record CompatibilityCheckResponse
{
    [JsonPropertyName("is_compatible")] public required bool IsCompatible { get; init; }
    [JsonPropertyName("messages")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Messages { get; init; }
}

public sealed record ErrorResponse([property: JsonPropertyName("error_code")] int ErrorCode, [property: JsonPropertyName("message")] string Message);
