using System.Buffers;
using System.Collections.Concurrent;
using Strom.Avro;
using Strom.Avro.Generic;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;

namespace Strom.SchemaRegistry.Serdes;

/// <summary>
/// Avro values (GenericRecord, GenericEnum, GenericFixed, or primitives: null, bool, int, long,
/// float, double, string, byte[]) in Confluent's wire format. The writer schema is the one given,
/// else the value's own; with use.latest.version, the subject's latest schema.
/// </summary>
public sealed class AvroSerializer(SchemaRegistryClient client, SerializerConfig? config = null, Schema? schema = null) : ISerializer<object?>
{
    private readonly SerializerConfig _config = config ?? new SerializerConfig();
    private readonly SchemaResolution _resolution = new(client, config ?? new SerializerConfig(), "AVRO");
    private readonly ConcurrentDictionary<string, Schema> _parsed = new(StringComparer.Ordinal);

    public byte[]? Serialize(object? value, SerializationContext context) => SerializeAsync(value, context).GetAwaiter().GetResult();

    public async Task<byte[]> SerializeAsync(object? value, SerializationContext context, CancellationToken cancellationToken = default)
    {
        var writer = schema ?? SchemaOf(value);
        var text = SchemaWriter.ToJson(writer);
        var subject = _config.Subject(context, (writer as NamedSchema)?.FullName);
        var (id, registered) = await _resolution.ResolveAsync(subject, text, null, cancellationToken).ConfigureAwait(false);
        if (registered != text)
        {
            writer = _parsed.GetOrAdd(registered, AvroSchema.Parse);
        }
        var output = new ArrayBufferWriter<byte>(256);
        WireFormat.WriteHeader(output, id);
        try
        {
            AvroWriter.Write(output, writer, value);
        }
        catch (AvroDataException e)
        {
            throw new SchemaSerializationException($"The value does not fit schema {id}: {e.Message}", e);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The schema of a generic value, or of a primitive CLR value.</summary>
    public static Schema SchemaOf(object? value) => value switch
    {
        GenericRecord r => r.Schema,
        GenericEnum e => e.Schema,
        GenericFixed f => f.Schema,
        null => AvroSchema.Parse("\"null\""),
        bool => AvroSchema.Parse("\"boolean\""),
        int => AvroSchema.Parse("\"int\""),
        long => AvroSchema.Parse("\"long\""),
        float => AvroSchema.Parse("\"float\""),
        double => AvroSchema.Parse("\"double\""),
        string => AvroSchema.Parse("\"string\""),
        byte[] => AvroSchema.Parse("\"bytes\""),
        _ => throw new SchemaSerializationException($"No Avro schema for a {value.GetType().Name}: pass a schema or a generic value"),
    };
}

/// <summary>
/// Reads Confluent-framed Avro: the writer schema comes from the registry by id (with its references),
/// cached; with a reader schema, values are resolved to it by Avro's resolution rules.
/// </summary>
public sealed class AvroDeserializer(SchemaRegistryClient client, Schema? readerSchema = null) : IDeserializer<object?>
{
    private readonly ConcurrentDictionary<int, Task<Schema>> _schemas = new();

    public object? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null;
        }
        var id = WireFormat.ReadHeader(data);
        var writer = WriterSchemaAsync(id, default).GetAwaiter().GetResult();
        return Decode(writer, data[WireFormat.HeaderSize..]);
    }

    public async Task<object?> DeserializeAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var id = WireFormat.ReadHeader(data.Span);
        var writer = await WriterSchemaAsync(id, cancellationToken).ConfigureAwait(false);
        return Decode(writer, data.Span[WireFormat.HeaderSize..]);
    }

    private object? Decode(Schema writer, ReadOnlySpan<byte> payload)
    {
        try
        {
            return readerSchema is null ? AvroReader.Decode(writer, payload) : AvroReader.Decode(writer, readerSchema, payload);
        }
        catch (AvroDataException e)
        {
            throw new SchemaSerializationException($"Cannot decode Avro payload: {e.Message}", e);
        }
    }

    private async Task<Schema> WriterSchemaAsync(int id, CancellationToken cancellationToken)
    {
        var task = _schemas.GetOrAdd(id, i => LoadAsync(i, cancellationToken));
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch
        {
            _schemas.TryRemove(new KeyValuePair<int, Task<Schema>>(id, task));
            throw;
        }
    }

    private async Task<Schema> LoadAsync(int id, CancellationToken cancellationToken)
    {
        try
        {
            var schema = await client.GetSchemaByIdAsync(id, cancellationToken).ConfigureAwait(false);
            if (schema.SchemaType is { } type && type != "AVRO")
            {
                throw new SchemaSerializationException($"Schema {id} is {type}, not AVRO");
            }
            var references = await SchemaReferences.CollectAsync(client, schema.References, cancellationToken).ConfigureAwait(false);
            return references.Count == 0 ? AvroSchema.Parse(schema.Schema) : AvroSchema.Parse(schema.Schema, references.Select(r => r.Schema), out _);
        }
        catch (SchemaRegistryClientException e)
        {
            throw new SchemaSerializationException($"Cannot fetch schema {id}: {e.Message}", e);
        }
        catch (AvroSchemaException e)
        {
            throw new SchemaSerializationException($"Schema {id} does not parse: {e.Message}", e);
        }
    }
}

/// <summary>Fetches the schemas a schema references, transitively, dependencies first.</summary>
internal static class SchemaReferences
{
    public static async Task<List<(string Name, string Schema)>> CollectAsync(SchemaRegistryClient client,
        IReadOnlyList<Storage.SchemaReference>? references, CancellationToken cancellationToken)
    {
        var result = new List<(string, string)>();
        var seen = new HashSet<(string, int)>();
        foreach (var reference in references ?? [])
        {
            await VisitAsync(reference).ConfigureAwait(false);
        }
        return result;

        async Task VisitAsync(Storage.SchemaReference reference)
        {
            if (!seen.Add((reference.Subject, reference.Version)))
            {
                return;
            }
            var version = await client.GetVersionAsync(reference.Subject, reference.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken)
                .ConfigureAwait(false);
            foreach (var inner in version.References ?? [])
            {
                await VisitAsync(inner).ConfigureAwait(false);
            }
            result.Add((reference.Name, version.Schema));
        }
    }
}
