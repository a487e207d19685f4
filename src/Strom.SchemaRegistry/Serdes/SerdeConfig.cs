using Strom.Client.Serialization;

namespace Strom.SchemaRegistry.Serdes;

/// <summary>How a serializer names the subject a schema is registered under (Confluent's strategies).</summary>
public enum SubjectNameStrategy
{
    /// <summary>&lt;topic&gt;-key / &lt;topic&gt;-value: one schema lineage per topic (the default).</summary>
    Topic,

    /// <summary>The record's fully-qualified name: one lineage per type, across topics.</summary>
    Record,

    /// <summary>&lt;topic&gt;-&lt;record name&gt;: several types per topic, each with its own lineage.</summary>
    TopicRecord,
}

/// <summary>Serializer settings; names follow Confluent's serializer config keys.</summary>
public sealed record SerializerConfig
{
    /// <summary>auto.register.schemas: register the schema when the subject does not have it (default: true).</summary>
    public bool AutoRegisterSchemas { get; init; } = true;

    /// <summary>use.latest.version: write with the subject's latest registered schema instead (default: false).</summary>
    public bool UseLatestVersion { get; init; }

    /// <summary>normalize.schemas: register and look up in normalized form (default: false).</summary>
    public bool NormalizeSchemas { get; init; }

    /// <summary>subject.name.strategy (default: Topic).</summary>
    public SubjectNameStrategy SubjectNameStrategy { get; init; } = SubjectNameStrategy.Topic;

    /// <summary>The subject for a record of <paramref name="recordName"/> (null when the schema has no name) written to a topic.</summary>
    public string Subject(SerializationContext context, string? recordName)
    {
        var suffix = context.Component == MessageComponent.Key ? "key" : "value";
        return SubjectNameStrategy switch
        {
            SubjectNameStrategy.Topic => $"{context.Topic}-{suffix}",
            SubjectNameStrategy.Record => recordName ?? throw new SchemaSerializationException("The record name strategy needs a named schema (record, message or titled JSON schema)"),
            _ => $"{context.Topic}-{recordName ?? throw new SchemaSerializationException("The topic-record name strategy needs a named schema (record, message or titled JSON schema)")}",
        };
    }
}
