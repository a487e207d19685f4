using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Strom.SchemaRegistry.Schemas.Json;

namespace Strom.SchemaRegistry.Schemas;

/// <summary>
/// JSON Schema (drafts 4 to 2020-12): checked against its draft's meta-schema, with every $ref
/// resolving (locally or to a reference) and every pattern an ECMA-262 regex; compatibility by
/// Confluent's JSON Schema rules (<see cref="JsonSchemaCompatibility"/>).
/// </summary>
public sealed class JsonSchemaProvider : ISchemaProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 1024 };
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 1024 };

    public string SchemaType => "JSON";

    public ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references) => Parse(schema, references, checkSchema: true);

    /// <summary>Without the meta-schema and $ref cycle checks, which registration added later.</summary>
    public ParsedSchema ParseRegistered(string schema, IReadOnlyList<ResolvedReference> references) => Parse(schema, references, checkSchema: false);

    private ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references, bool checkSchema)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schema, ReadOptions);
        }
        catch (JsonException e)
        {
            throw new SchemaInvalidException("Invalid JSON: " + e.Message);
        }
        using (document)
        {
            var root = document.RootElement.Clone();
            if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                throw new SchemaInvalidException("#: a schema must be an object or a boolean");
            }
            var parsed = new JsonSchemaDocument(root, references.Select(r => (r.Name, ParseReference(r))));
            var problems = checkSchema ? JsonSchemaValidator.CheckSchema(parsed) : [];
            if (problems.Count > 0)
            {
                throw new SchemaInvalidException($"not a valid JSON Schema ({JsonSchemaDrafts.Name(parsed.Draft)}): {string.Join("; ", problems.Take(5))}");
            }
            return new ParsedSchema(SchemaType, Write(root, sort: false), parsed);
        }
    }

    public string Canonicalize(ParsedSchema schema, bool normalize) => normalize ? Write(((JsonSchemaDocument)schema.Native).Root, sort: true) : schema.Canonical;

    public IReadOnlyList<string> CheckCompatibility(ParsedSchema reader, ParsedSchema writer, string readerLabel, string writerLabel) =>
        JsonSchemaCompatibility.Check((JsonSchemaDocument)writer.Native, (JsonSchemaDocument)reader.Native)
            .Select(i => $"{{errorType:'{i.Type}', description:'Found incompatible change at path '{i.Path}' of the {readerLabel} schema'}}")
            .ToList();

    private static JsonElement ParseReference(ResolvedReference reference)
    {
        try
        {
            using var document = JsonDocument.Parse(reference.Schema, ReadOptions);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SchemaInvalidException($"Referenced schema {reference.Name} is not JSON: {e.Message}");
        }
    }

    private static string Write(JsonElement element, bool sort)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteElement(writer, element, sort);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteElement(Utf8JsonWriter writer, JsonElement element, bool sort)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = element.EnumerateObject();
                foreach (var p in sort ? properties.OrderBy(p => p.Name, StringComparer.Ordinal) : (IEnumerable<JsonProperty>)properties)
                {
                    writer.WritePropertyName(p.Name);
                    WriteElement(writer, p.Value, sort);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteElement(writer, item, sort);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
