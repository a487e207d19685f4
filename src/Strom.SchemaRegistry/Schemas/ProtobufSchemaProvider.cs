using Strom.SchemaRegistry.Schemas.Protobuf;

namespace Strom.SchemaRegistry.Schemas;

/// <summary>
/// Protobuf through our own .proto parser (<see cref="ProtoSchema"/>): types resolved against
/// references and well-known files, and Confluent's Protobuf compatibility rules
/// (<see cref="ProtoCompatibility"/>). The stored text is the schema as given, trimmed;
/// normalized, the token stream joined by single spaces (comments and layout dropped).
/// </summary>
public sealed class ProtobufSchemaProvider : ISchemaProvider
{
    public string SchemaType => "PROTOBUF";

    public ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references)
    {
        var parsed = ProtoSchema.Parse(schema, references.Select(r => (r.Name, r.Schema)).ToList());
        return new ParsedSchema(SchemaType, schema.Trim(), new ProtoParsed(parsed, ProtoTokenizer.Tokenize(schema)));
    }

    public string Canonicalize(ParsedSchema schema, bool normalize) =>
        normalize ? string.Join(' ', ((ProtoParsed)schema.Native).Tokens) : schema.Canonical;

    public IReadOnlyList<string> CheckCompatibility(ParsedSchema reader, ParsedSchema writer, string readerLabel, string writerLabel) =>
        ProtoCompatibility.Check(((ProtoParsed)writer.Native).Schema, ((ProtoParsed)reader.Native).Schema)
            .Select(d => $"{{errorType:'{d.Type}', description:'{ProtoCompatibility.Describe(d.Type)} at path '{d.Path}' in the {readerLabel} schema'}}")
            .ToList();

    private sealed record ProtoParsed(ProtoSchema Schema, List<string> Tokens);
}
