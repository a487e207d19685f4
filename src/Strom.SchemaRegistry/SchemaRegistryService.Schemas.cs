using Strom.Avro;
using Strom.SchemaRegistry.Http;
using Strom.SchemaRegistry.Schemas;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry;

/// <summary>Parsing requests through the providers, resolving references, and checking compatibility (called under the state lock).</summary>
public sealed partial class SchemaRegistryService
{
    private (ParsedSchema Parsed, ISchemaProvider Provider, IReadOnlyList<SchemaReference> References) ParseRequest(RegisterSchemaRequest request, bool normalize)
    {
        if (string.IsNullOrWhiteSpace(request.Schema))
        {
            throw RegistryException.InvalidSchema("Empty schema");
        }
        var type = string.IsNullOrEmpty(request.SchemaType) ? "AVRO" : request.SchemaType.ToUpperInvariant();
        if (!_providers.TryGetValue(type, out var provider))
        {
            throw RegistryException.InvalidSchema($"Unknown schema type {request.SchemaType}");
        }
        var references = request.References ?? [];
        var resolved = ResolveReferences(references);
        try
        {
            return (provider.Parse(request.Schema, resolved), provider, references.ToList());
        }
        catch (SchemaInvalidException e)
        {
            throw RegistryException.InvalidSchema(e.Message);
        }
    }

    /// <summary>Every schema the references need, transitively, dependencies before dependents; cycles are invalid.</summary>
    private List<ResolvedReference> ResolveReferences(IReadOnlyList<SchemaReference> references)
    {
        var result = new List<ResolvedReference>();
        var done = new HashSet<(string, int)>();
        var visiting = new HashSet<(string, int)>();
        foreach (var reference in references)
        {
            Visit(reference);
        }
        return result;

        void Visit(SchemaReference reference)
        {
            if (string.IsNullOrEmpty(reference.Name) || string.IsNullOrEmpty(reference.Subject))
            {
                throw RegistryException.InvalidSchema("A reference needs a name, a subject and a version");
            }
            var versions = _state.Versions(reference.Subject);
            SchemaRecordValue? target = null;
            if (versions is not null)
            {
                target = reference.Version == -1 ? versions.Values.LastOrDefault(v => !v.Deleted) : versions.GetValueOrDefault(reference.Version);
            }
            if (target is null)
            {
                throw RegistryException.InvalidSchema($"Reference {reference.Name} to subject {reference.Subject} version {reference.Version} not found");
            }
            var key = (target.Subject, target.Version);
            if (done.Contains(key))
            {
                return;
            }
            if (!visiting.Add(key))
            {
                throw RegistryException.InvalidSchema($"Cyclic reference through subject {target.Subject} version {target.Version}");
            }
            foreach (var inner in target.References)
            {
                Visit(inner);
            }
            visiting.Remove(key);
            done.Add(key);
            result.Add(new ResolvedReference(reference.Name, target.Subject, target.Version, target.EffectiveType, target.Schema));
        }
    }

    private List<string>? CheckAgainst(CompatibilityLevel level, ParsedSchema proposed, List<SchemaRecordValue> previous, ISchemaProvider provider)
    {
        if (level == CompatibilityLevel.None || previous.Count == 0)
        {
            return null;
        }
        var parsedPrevious = new List<ParsedSchema>(previous.Count);
        var stop = level.IsTransitive() ? 0 : previous.Count - 1;
        for (var i = 0; i < previous.Count; i++)
        {
            // Only the schemas the level looks at need parsing; the rest keep their slot.
            parsedPrevious.Add(i < stop ? proposed : ParseStored(previous[i]));
        }
        var failure = CompatibilityLevels.Check(level, proposed, parsedPrevious, (reader, writer, readerLabel, writerLabel) =>
            reader.SchemaType != writer.SchemaType
                ? [$"{{errorType:'TYPE_MISMATCH', description:'The schema type changed from {writer.SchemaType} to {reader.SchemaType}'}}"]
                : provider.CheckCompatibility(reader, writer, readerLabel, writerLabel));
        if (failure is null)
        {
            return null;
        }
        var old = previous[failure.PreviousIndex];
        return
        [
            .. failure.Messages,
            $"{{oldSchemaVersion: {old.Version}}}",
            $"{{oldSchema: '{old.Schema}'}}",
            $"{{compatibility: '{level.ToConfluentName()}'}}",
        ];
    }

    private ParsedSchema ParseStored(SchemaRecordValue stored)
    {
        var provider = _providers.GetValueOrDefault(stored.EffectiveType)
            ?? throw RegistryException.InvalidSchema($"Stored schema type {stored.EffectiveType} is not supported");
        try
        {
            return provider.ParseRegistered(stored.Schema, ResolveReferences(stored.References));
        }
        catch (SchemaInvalidException e)
        {
            throw RegistryException.InvalidSchema($"Stored schema {stored.Subject} version {stored.Version} no longer parses: {e.Message}");
        }
    }

    /// <summary>
    /// A stored schema in the form a GET asks for: format=serialized turns a Protobuf schema into base64
    /// FileDescriptorProto (Confluent's clients read it so); any other format or schema type is the stored text.
    /// </summary>
    private string InFormat(SchemaRecordValue stored, string? format) =>
        stored.EffectiveType == "PROTOBUF" && string.Equals(format, ProtobufSchemaProvider.SerializedFormat, StringComparison.OrdinalIgnoreCase)
            ? ProtobufSchemaProvider.ToSerialized(ParseStored(stored))
            : stored.Schema;

    /// <summary>
    /// Whether a registered version holds the candidate: its stored text is the candidate's canonical
    /// form, or (for text stored before the canonical form changed, and with normalize) it reads back
    /// to the same canonical form, as Confluent compares parsed schemas and not only their text.
    /// </summary>
    private bool SameSchema(SchemaRecordValue stored, ParsedSchema candidate, ISchemaProvider provider, string canonical, bool normalize) =>
        stored.Schema == canonical || (stored.EffectiveType == candidate.SchemaType && SameParsed(stored, provider, canonical, normalize));

    private bool SameParsed(SchemaRecordValue stored, ISchemaProvider provider, string canonical, bool normalize)
    {
        try
        {
            return provider.Canonicalize(ParseStored(stored), normalize) == canonical;
        }
        catch (RegistryException)
        {
            return false;
        }
    }
}
