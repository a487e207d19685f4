namespace Strom.SchemaRegistry.Schemas;

/// <summary>A referenced schema, resolved to its text: the name it is imported under, and where it is registered.</summary>
public sealed record ResolvedReference(string Name, string Subject, int Version, string SchemaType, string Schema);

/// <summary>A schema that passed its provider's validation. <see cref="Native"/> is the provider's own model.</summary>
public sealed record ParsedSchema(string SchemaType, string Canonical, object Native);

/// <summary>
/// One schema format (AVRO, JSON, PROTOBUF). The registry is format-agnostic: it asks the provider
/// to validate and canonicalize schema text and to say what stops one schema reading another's data.
/// </summary>
public interface ISchemaProvider
{
    /// <summary>The schemaType name in the REST API and the _schemas records.</summary>
    string SchemaType { get; }

    /// <summary>Validates <paramref name="schema"/>; throws <see cref="SchemaInvalidException"/> with the reason.</summary>
    ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references);

    /// <summary>
    /// Parses a schema already registered (to check a new one against it, to print it in another
    /// form): checks that only newer versions of the registry added are skipped, so what an older
    /// one accepted still reads. By default the same as <see cref="Parse"/>.
    /// </summary>
    ParsedSchema ParseRegistered(string schema, IReadOnlyList<ResolvedReference> references) => Parse(schema, references);

    /// <summary>The text stored and compared for identity; with <paramref name="normalize"/>, a form insensitive to cosmetic differences.</summary>
    string Canonicalize(ParsedSchema schema, bool normalize);

    /// <summary>The problems a consumer using <paramref name="reader"/> has with data written using <paramref name="writer"/>; empty when compatible.</summary>
    IReadOnlyList<string> CheckCompatibility(ParsedSchema reader, ParsedSchema writer, string readerLabel, string writerLabel);
}

public sealed class SchemaInvalidException(string message) : Exception(message);
