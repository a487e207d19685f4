using Strom.Avro;

namespace Strom.SchemaRegistry.Schemas;

/// <summary>Avro through Strom.Avro: referenced schemas are parsed first so their named types are in scope.</summary>
public sealed class AvroSchemaProvider : ISchemaProvider
{
    public string SchemaType => "AVRO";

    public ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references)
    {
        try
        {
            var parsed = AvroSchema.Parse(schema, references.Select(r => r.Schema), out var referencedNames);
            return new ParsedSchema(SchemaType, SchemaWriter.ToJson(parsed, referencedNames), new AvroParsed(parsed, referencedNames));
        }
        catch (AvroSchemaException e)
        {
            throw new SchemaInvalidException(e.Message);
        }
    }

    public string Canonicalize(ParsedSchema schema, bool normalize)
    {
        var avro = (AvroParsed)schema.Native;
        return normalize ? SchemaWriter.ToNormalizedJson(avro.Schema, avro.ReferencedNames) : schema.Canonical;
    }

    public IReadOnlyList<string> CheckCompatibility(ParsedSchema reader, ParsedSchema writer, string readerLabel, string writerLabel) =>
        SchemaCompatibility.Check(((AvroParsed)reader.Native).Schema, ((AvroParsed)writer.Native).Schema)
            .Select(i => i.ToConfluentString(readerLabel, writerLabel))
            .ToList();

    private sealed record AvroParsed(Strom.Avro.Schema Schema, IReadOnlyCollection<string> ReferencedNames);
}
