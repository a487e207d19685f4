using Strom.SchemaRegistry.Schemas.Protobuf;

namespace Strom.SchemaRegistry.Schemas;

/// <summary>
/// Protobuf through our own .proto parser (<see cref="ProtoSchema"/>): types resolved against
/// references and well-known files, and Confluent's Protobuf compatibility rules
/// (<see cref="ProtoCompatibility"/>). A schema is .proto text or base64 of a FileDescriptorProto
/// (what Confluent's clients send with format=serialized). Either way the stored text is the
/// model printed back (<see cref="ProtoSchema.ToText"/>), so both forms of one schema get one id;
/// normalized, that text's token stream joined by single spaces.
/// </summary>
public sealed class ProtobufSchemaProvider : ISchemaProvider
{
    /// <summary>The value of the REST API's format parameter that asks for base64 FileDescriptorProto.</summary>
    public const string SerializedFormat = "serialized";

    public string SchemaType => "PROTOBUF";

    public ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references)
    {
        var parsed = ProtoSchema.ParseAny(schema, references.Select(r => (r.Name, r.Schema)).ToList());
        var text = parsed.ToText();
        return new ParsedSchema(SchemaType, text, new ProtoParsed(parsed, ProtoTokenizer.Tokenize(text)));
    }

    public string Canonicalize(ParsedSchema schema, bool normalize) =>
        normalize ? string.Join(' ', ((ProtoParsed)schema.Native).Tokens) : schema.Canonical;

    public IReadOnlyList<string> CheckCompatibility(ParsedSchema reader, ParsedSchema writer, string readerLabel, string writerLabel) =>
        ProtoCompatibility.Check(((ProtoParsed)writer.Native).Schema, ((ProtoParsed)reader.Native).Schema)
            .Select(d => $"{{errorType:'{d.Type}', description:'{ProtoCompatibility.Describe(d.Type)} at path '{d.Path}' in the {readerLabel} schema'}}")
            .ToList();

    /// <summary>The schema as base64 of its FileDescriptorProto (format=serialized).</summary>
    public static string ToSerialized(ParsedSchema schema) => Convert.ToBase64String(((ProtoParsed)schema.Native).Schema.ToDescriptor());

    private sealed record ProtoParsed(ProtoSchema Schema, List<string> Tokens);
}
