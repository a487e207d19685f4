using System.Buffers;
using System.Collections.Concurrent;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Schemas;
using Strom.SchemaRegistry.Schemas.Protobuf;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry.Serdes;

/// <summary>
/// A Protobuf message as bytes already encoded by any protobuf runtime, with its type's full name
/// (null: the schema's first message). <see cref="Indexes"/> is its message-index path, set on read.
/// </summary>
public sealed record ProtobufMessage(string? MessageName, ReadOnlyMemory<byte> Payload)
{
    public IReadOnlyList<int> Indexes { get; init; } = [];

    /// <summary>The schema id the message was written with (on read).</summary>
    public int SchemaId { get; init; }
}

/// <summary>
/// Protobuf in Confluent's wire format: header, message indexes of the message type within the
/// .proto schema (given as text, with its references), then the encoded message.
/// </summary>
public sealed class ProtobufSerializer : ISerializer<ProtobufMessage>
{
    private readonly SerializerConfig _config;
    private readonly SchemaResolution _resolution;
    private readonly string _schema;
    private readonly IReadOnlyList<SchemaReference>? _references;
    private readonly ProtoFile _file;

    /// <param name="references">The registered schemas this one imports (name = import path); their text is fetched once.</param>
    public ProtobufSerializer(SchemaRegistryClient client, string schema, SerializerConfig? config = null, IReadOnlyList<SchemaReference>? references = null)
    {
        _config = config ?? new SerializerConfig();
        _resolution = new SchemaResolution(client, _config, "PROTOBUF");
        _schema = schema;
        _references = references;
        var resolved = SchemaReferences.CollectAsync(client, references, default).GetAwaiter().GetResult();
        try
        {
            _file = ProtoSchema.Parse(schema, resolved).File;
        }
        catch (SchemaInvalidException e)
        {
            throw new SchemaSerializationException($"Invalid .proto schema: {e.Message}", e);
        }
        if (_file.Messages.Count == 0)
        {
            throw new SchemaSerializationException("The .proto schema declares no message");
        }
    }

    public byte[]? Serialize(ProtobufMessage value, SerializationContext context) => SerializeAsync(value, context).GetAwaiter().GetResult();

    public async Task<byte[]> SerializeAsync(ProtobufMessage value, SerializationContext context, CancellationToken cancellationToken = default)
    {
        var name = value.MessageName ?? _file.Messages[0].FullName;
        var indexes = _file.IndexesOf(name) ?? throw new SchemaSerializationException($"Message {name} is not declared in the schema");
        var (id, _) = await _resolution.ResolveAsync(_config.Subject(context, name.TrimStart('.')), _schema, _references, cancellationToken).ConfigureAwait(false);
        var output = new ArrayBufferWriter<byte>(value.Payload.Length + 16);
        WireFormat.WriteHeader(output, id);
        WireFormat.WriteMessageIndexes(output, indexes);
        output.Write(value.Payload.Span);
        return output.WrittenSpan.ToArray();
    }
}

/// <summary>Reads Confluent-framed Protobuf: names the message type from the writer schema (by id) and the indexes; the payload is returned as bytes.</summary>
public sealed class ProtobufDeserializer(SchemaRegistryClient client) : IDeserializer<ProtobufMessage?>
{
    private readonly ConcurrentDictionary<int, ProtoFile> _files = new();

    public ProtobufMessage? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null;
        }
        var id = WireFormat.ReadHeader(data);
        var indexes = WireFormat.ReadMessageIndexes(data[WireFormat.HeaderSize..], out var consumed);
        var file = _files.GetValueOrDefault(id) ?? LoadAsync(id).GetAwaiter().GetResult();
        var message = file.MessageAt(indexes) ?? throw new SchemaSerializationException($"Message indexes [{string.Join(",", indexes)}] name no message of schema {id}");
        return new ProtobufMessage(message.FullName, data[(WireFormat.HeaderSize + consumed)..].ToArray()) { Indexes = indexes, SchemaId = id };
    }

    private async Task<ProtoFile> LoadAsync(int id)
    {
        try
        {
            var schema = await client.GetSchemaByIdAsync(id).ConfigureAwait(false);
            var references = await SchemaReferences.CollectAsync(client, schema.References, default).ConfigureAwait(false);
            return _files.GetOrAdd(id, ProtoSchema.Parse(schema.Schema, references).File);
        }
        catch (Exception e) when (e is SchemaRegistryClientException or SchemaInvalidException)
        {
            throw new SchemaSerializationException($"Cannot use Protobuf schema {id}: {e.Message}", e);
        }
    }
}
