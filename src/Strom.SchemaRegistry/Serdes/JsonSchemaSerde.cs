using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Schemas.Json;

namespace Strom.SchemaRegistry.Serdes;

/// <summary>
/// JSON values (System.Text.Json) in Confluent's wire format under a JSON Schema given as text.
/// With validation on (default), a value that the schema rejects is not written; <paramref name="validation"/>
/// can turn on format assertion. The record name for the record strategies is the schema's "title".
/// </summary>
public sealed class JsonSchemaSerializer<T> : ISerializer<T>
{
    private readonly SerializerConfig _config;
    private readonly SchemaResolution _resolution;
    private readonly string _schema;
    private readonly JsonSchemaDocument _document;
    private readonly JsonSerializerOptions? _json;
    private readonly bool _validate;
    private readonly JsonSchemaValidationOptions _validation;
    private readonly string? _title;

    public JsonSchemaSerializer(SchemaRegistryClient client, string schema, SerializerConfig? config = null, JsonSerializerOptions? json = null, bool validate = true,
        JsonSchemaValidationOptions? validation = null)
    {
        _config = config ?? new SerializerConfig();
        _resolution = new SchemaResolution(client, _config, "JSON");
        _schema = schema;
        using var parsed = JsonDocument.Parse(schema);
        _document = new JsonSchemaDocument(parsed.RootElement.Clone());
        _title = _document.Root.ValueKind == JsonValueKind.Object && _document.Root.TryGetProperty("title", out var t) ? t.GetString() : null;
        _json = json;
        _validate = validate;
        _validation = validation ?? JsonSchemaValidationOptions.Default;
    }

    public byte[]? Serialize(T value, SerializationContext context) => SerializeAsync(value, context).GetAwaiter().GetResult();

    public async Task<byte[]> SerializeAsync(T value, SerializationContext context, CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(value, _json);
        if (_validate)
        {
            using var instance = JsonDocument.Parse(payload);
            if (!JsonSchemaValidator.IsValid(_document, instance.RootElement, _validation))
            {
                var errors = JsonSchemaValidator.Validate(_document, instance.RootElement, _validation);
                throw new SchemaSerializationException("The value does not match its JSON schema: " + string.Join("; ", errors));
            }
        }
        var (id, _) = await _resolution.ResolveAsync(_config.Subject(context, _title), _schema, null, cancellationToken).ConfigureAwait(false);
        var output = new ArrayBufferWriter<byte>(payload.Length + WireFormat.HeaderSize);
        WireFormat.WriteHeader(output, id);
        output.Write(payload);
        return output.WrittenSpan.ToArray();
    }
}

/// <summary>
/// Reads Confluent-framed JSON; with validation on, checks the value against the writer's schema
/// fetched by id (compiled once per id), asserting formats when <paramref name="validation"/> says so.
/// </summary>
public sealed class JsonSchemaDeserializer<T>(SchemaRegistryClient client, JsonSerializerOptions? json = null, bool validate = false,
    JsonSchemaValidationOptions? validation = null) : IDeserializer<T?>
{
    private readonly ConcurrentDictionary<int, JsonSchemaDocument> _schemas = new();

    public T? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return default;
        }
        var id = WireFormat.ReadHeader(data);
        var payload = data[WireFormat.HeaderSize..];
        if (validate)
        {
            var schema = _schemas.GetValueOrDefault(id) ?? LoadAsync(id).GetAwaiter().GetResult();
            using var instance = Parse(payload);
            if (!JsonSchemaValidator.IsValid(schema, instance.RootElement, validation))
            {
                var errors = JsonSchemaValidator.Validate(schema, instance.RootElement, validation);
                throw new SchemaSerializationException($"The value does not match schema {id}: " + string.Join("; ", errors));
            }
        }
        try
        {
            return JsonSerializer.Deserialize<T>(payload, json);
        }
        catch (JsonException e)
        {
            throw new SchemaSerializationException($"Cannot read the JSON payload as {typeof(T).Name}: {e.Message}", e);
        }
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> payload)
    {
        try
        {
            return JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException e)
        {
            throw new SchemaSerializationException($"The payload is not JSON: {e.Message}", e);
        }
    }

    private async Task<JsonSchemaDocument> LoadAsync(int id)
    {
        try
        {
            var schema = await client.GetSchemaByIdAsync(id).ConfigureAwait(false);
            var references = await SchemaReferences.CollectAsync(client, schema.References, default).ConfigureAwait(false);
            using var root = JsonDocument.Parse(schema.Schema);
            var document = new JsonSchemaDocument(root.RootElement.Clone(),
                references.Select(r => (r.Name, JsonDocument.Parse(r.Schema).RootElement.Clone())));
            return _schemas.GetOrAdd(id, document);
        }
        catch (Exception e) when (e is SchemaRegistryClientException or JsonException)
        {
            throw new SchemaSerializationException($"Cannot fetch JSON schema {id}: {e.Message}", e);
        }
    }
}
