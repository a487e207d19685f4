using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Strom.SchemaRegistry.Schemas.Json;

namespace Strom.SchemaRegistry.Schemas;

/// <summary>
/// JSON Schema (drafts 4 to 2020-12): checked to be JSON whose root is a schema (an object or a
/// boolean) with well-typed core keywords, patterns that compile and local $refs that resolve;
/// compatibility by Confluent's JSON Schema rules (<see cref="JsonSchemaCompatibility"/>).
/// </summary>
public sealed class JsonSchemaProvider : ISchemaProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 1024 };
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 1024 };

    public string SchemaType => "JSON";

    public ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references)
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
            CheckSchema(root, "#");
            var parsed = new JsonSchemaDocument(root, references.Select(r => (r.Name, ParseReference(r))));
            CheckReferences(parsed, root, "#", 0);
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

    /// <summary>Every $ref must resolve (locally or to a reference), and every pattern must compile.</summary>
    private static void CheckReferences(JsonSchemaDocument document, JsonElement schema, string path, int depth)
    {
        if (depth > 512)
        {
            throw new SchemaInvalidException($"{path}: schema nested too deeply");
        }
        switch (schema.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in schema.EnumerateObject())
                {
                    if (property.Name == "$ref" && property.Value.ValueKind == JsonValueKind.String
                        && document.Resolve(property.Value.GetString()!, document.Root) is null)
                    {
                        throw new SchemaInvalidException($"{path}: $ref {property.Value.GetString()} does not resolve");
                    }
                    if (property.Name == "pattern" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        try
                        {
                            _ = new Regex(property.Value.GetString()!, RegexOptions.None);
                        }
                        catch (ArgumentException e)
                        {
                            throw new SchemaInvalidException($"{path}/pattern: not a regular expression: {e.Message}");
                        }
                    }
                    if (property.Name is not ("enum" or "const" or "default" or "examples"))
                    {
                        CheckReferences(document, property.Value, path + "/" + property.Name, depth + 1);
                    }
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in schema.EnumerateArray())
                {
                    CheckReferences(document, item, $"{path}/{i++}", depth + 1);
                }
                break;
        }
    }

    private static void CheckSchema(JsonElement schema, string path)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new SchemaInvalidException($"{path}: a schema must be an object or a boolean");
        }
        foreach (var property in schema.EnumerateObject())
        {
            var at = path + "/" + property.Name;
            switch (property.Name)
            {
                case "type":
                    if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
                    {
                        throw new SchemaInvalidException($"{at}: must be a string or an array of strings");
                    }
                    foreach (var t in property.Value.ValueKind == JsonValueKind.String ? [property.Value] : property.Value.EnumerateArray().ToArray())
                    {
                        if (t.GetString() is not ("null" or "boolean" or "object" or "array" or "number" or "string" or "integer"))
                        {
                            throw new SchemaInvalidException($"{at}: unknown type {t.GetRawText()}");
                        }
                    }
                    break;
                case "properties" or "patternProperties" or "definitions" or "$defs" or "dependentSchemas":
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new SchemaInvalidException($"{at}: must be an object");
                    }
                    foreach (var p in property.Value.EnumerateObject())
                    {
                        CheckSchema(p.Value, at + "/" + p.Name);
                    }
                    break;
                case "items":
                    if (property.Value.ValueKind == JsonValueKind.Array)
                    {
                        var i = 0;
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            CheckSchema(item, $"{at}/{i++}");
                        }
                    }
                    else
                    {
                        CheckSchema(property.Value, at);
                    }
                    break;
                case "additionalProperties" or "not" or "if" or "then" or "else" or "contains" or "propertyNames" or "additionalItems":
                    CheckSchema(property.Value, at);
                    break;
                case "allOf" or "anyOf" or "oneOf" or "prefixItems":
                    if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
                    {
                        throw new SchemaInvalidException($"{at}: must be a non-empty array");
                    }
                    var k = 0;
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        CheckSchema(item, $"{at}/{k++}");
                    }
                    break;
                case "required" or "enum":
                    if (property.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw new SchemaInvalidException($"{at}: must be an array");
                    }
                    break;
                case "$ref" or "$schema" or "$id" or "pattern" or "format" or "title" or "description":
                    if (property.Value.ValueKind != JsonValueKind.String)
                    {
                        throw new SchemaInvalidException($"{at}: must be a string");
                    }
                    break;
                case "minimum" or "maximum" or "multipleOf" or "minLength" or "maxLength" or "minItems" or "maxItems" or "minProperties" or "maxProperties":
                    if (property.Value.ValueKind != JsonValueKind.Number)
                    {
                        throw new SchemaInvalidException($"{at}: must be a number");
                    }
                    break;
            }
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
