using System.Collections.Concurrent;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry.Serdes;

/// <summary>The id and text a serializer writes with, found once per subject and schema the way its config says, then cached.</summary>
internal sealed class SchemaResolution(SchemaRegistryClient client, SerializerConfig config, string schemaType)
{
    private readonly ConcurrentDictionary<(string Subject, string Schema), Task<(int Id, string Schema)>> _cache = new();

    public async Task<(int Id, string Schema)> ResolveAsync(string subject, string schema, IReadOnlyList<SchemaReference>? references, CancellationToken cancellationToken)
    {
        var task = _cache.GetOrAdd((subject, schema), key => FindAsync(key.Subject, key.Schema, references, cancellationToken));
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch
        {
            // A failure is not cached: the next record tries again.
            _cache.TryRemove(new KeyValuePair<(string, string), Task<(int, string)>>((subject, schema), task));
            throw;
        }
    }

    private async Task<(int Id, string Schema)> FindAsync(string subject, string schema, IReadOnlyList<SchemaReference>? references, CancellationToken cancellationToken)
    {
        try
        {
            if (config.UseLatestVersion)
            {
                var latest = await client.GetVersionAsync(subject, "latest", cancellationToken).ConfigureAwait(false);
                return (latest.Id, latest.Schema);
            }
            if (config.AutoRegisterSchemas)
            {
                return (await client.RegisterAsync(subject, schema, schemaType, references, config.NormalizeSchemas, cancellationToken).ConfigureAwait(false), schema);
            }
            var found = await client.LookupAsync(subject, schema, schemaType, references, config.NormalizeSchemas, cancellationToken).ConfigureAwait(false);
            return (found.Id, schema);
        }
        catch (SchemaRegistryClientException e)
        {
            throw new SchemaSerializationException($"No schema id for subject {subject}: {e.Message} (error {e.ErrorCode})", e);
        }
    }
}
