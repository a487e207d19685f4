using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Strom.SchemaRegistry.Http;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry.Client;

/// <summary>A Confluent error body ({"error_code":..,"message":..}) or a transport failure, with the HTTP status.</summary>
public sealed class SchemaRegistryClientException(int statusCode, int errorCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Confluent's error code: 40401 subject not found, 40403 schema not found, 409 incompatible, 42201 invalid schema...</summary>
    public int ErrorCode { get; } = errorCode;
}

/// <summary>
/// A client of Confluent's Schema Registry REST API (Strom's or Confluent's). Schemas by id never
/// change, so they are cached for good; so are the ids of schemas this client registered or looked
/// up, per subject. Thread-safe; one instance per registry URL is meant to be shared.
/// </summary>
public sealed class SchemaRegistryClient : IDisposable
{
    private const string ContentType = "application/vnd.schemaregistry.v1+json";
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ConcurrentDictionary<int, SchemaByIdResponse> _byId = new();
    private readonly ConcurrentDictionary<(string Subject, string Type, string Schema, bool Normalize), int> _idBySchema = new();

    /// <param name="url">The registry's base URL, e.g. http://127.0.0.1:8081.</param>
    public SchemaRegistryClient(string url, TimeSpan? timeout = null)
        : this(new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(30) }, ownsHttp: true)
    {
    }

    public SchemaRegistryClient(HttpClient http, bool ownsHttp = false)
    {
        _http = http;
        _ownsHttp = ownsHttp;
        _http.DefaultRequestHeaders.Accept.ParseAdd(ContentType);
    }

    public Uri? BaseAddress => _http.BaseAddress;

    /// <summary>Registers <paramref name="schema"/> under <paramref name="subject"/> (or finds it there) and returns its id.</summary>
    public async Task<int> RegisterAsync(string subject, string schema, string? schemaType = null, IReadOnlyList<SchemaReference>? references = null,
        bool normalize = false, CancellationToken cancellationToken = default)
    {
        var key = (subject, schemaType ?? "AVRO", schema, normalize);
        if (references is not { Count: > 0 } && _idBySchema.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var body = new RegisterSchemaRequest { Schema = schema, SchemaType = NullIfAvro(schemaType), References = references };
        var response = await SendAsync<RegisterSchemaResponse>(HttpMethod.Post,
            $"subjects/{Escape(subject)}/versions{(normalize ? "?normalize=true" : "")}", body, cancellationToken).ConfigureAwait(false);
        if (references is not { Count: > 0 })
        {
            _idBySchema[key] = response.Id;
        }
        return response.Id;
    }

    /// <summary>The version of <paramref name="subject"/> holding <paramref name="schema"/> (40401/40403 when there is none).</summary>
    public async Task<SchemaVersionResponse> LookupAsync(string subject, string schema, string? schemaType = null, IReadOnlyList<SchemaReference>? references = null,
        bool normalize = false, CancellationToken cancellationToken = default)
    {
        var body = new RegisterSchemaRequest { Schema = schema, SchemaType = NullIfAvro(schemaType), References = references };
        return await SendAsync<SchemaVersionResponse>(HttpMethod.Post, $"subjects/{Escape(subject)}{(normalize ? "?normalize=true" : "")}", body, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The schema with a global id (cached: ids are immutable).</summary>
    public async Task<SchemaByIdResponse> GetSchemaByIdAsync(int id, CancellationToken cancellationToken = default)
    {
        if (_byId.TryGetValue(id, out var cached))
        {
            return cached;
        }
        var schema = await SendAsync<SchemaByIdResponse>(HttpMethod.Get, $"schemas/ids/{id.ToString(CultureInfo.InvariantCulture)}", null, cancellationToken)
            .ConfigureAwait(false);
        return _byId.GetOrAdd(id, schema);
    }

    /// <summary>A version of a subject: a number, or "latest".</summary>
    public Task<SchemaVersionResponse> GetVersionAsync(string subject, string version = "latest", CancellationToken cancellationToken = default) =>
        SendAsync<SchemaVersionResponse>(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/{Escape(version)}", null, cancellationToken);

    public Task<List<string>> GetSubjectsAsync(bool deleted = false, CancellationToken cancellationToken = default) =>
        SendAsync<List<string>>(HttpMethod.Get, deleted ? "subjects?deleted=true" : "subjects", null, cancellationToken);

    public Task<List<int>> GetVersionsAsync(string subject, CancellationToken cancellationToken = default) =>
        SendAsync<List<int>>(HttpMethod.Get, $"subjects/{Escape(subject)}/versions", null, cancellationToken);

    /// <summary>Deletes a subject (soft, or permanently after a soft delete); returns the versions deleted.</summary>
    public Task<List<int>> DeleteSubjectAsync(string subject, bool permanent = false, CancellationToken cancellationToken = default) =>
        SendAsync<List<int>>(HttpMethod.Delete, $"subjects/{Escape(subject)}{(permanent ? "?permanent=true" : "")}", null, cancellationToken);

    public Task<int> DeleteVersionAsync(string subject, string version, bool permanent = false, CancellationToken cancellationToken = default) =>
        SendAsync<int>(HttpMethod.Delete, $"subjects/{Escape(subject)}/versions/{Escape(version)}{(permanent ? "?permanent=true" : "")}", null, cancellationToken);

    /// <summary>Checks a schema against a subject's versions (all that its level looks at, or one) without registering it.</summary>
    public Task<CompatibilityCheckResponse> TestCompatibilityAsync(string subject, string schema, string? schemaType = null, string? version = null,
        IReadOnlyList<SchemaReference>? references = null, bool verbose = true, CancellationToken cancellationToken = default)
    {
        var path = version is null ? $"compatibility/subjects/{Escape(subject)}/versions" : $"compatibility/subjects/{Escape(subject)}/versions/{Escape(version)}";
        var body = new RegisterSchemaRequest { Schema = schema, SchemaType = NullIfAvro(schemaType), References = references };
        return SendAsync<CompatibilityCheckResponse>(HttpMethod.Post, path + (verbose ? "?verbose=true" : ""), body, cancellationToken);
    }

    /// <summary>The compatibility level of a subject (falling back to the global one), or the global one when <paramref name="subject"/> is null.</summary>
    public async Task<string> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default)
    {
        var path = subject is null ? "config" : $"config/{Escape(subject)}?defaultToGlobal=true";
        return (await SendAsync<ConfigResponse>(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false)).CompatibilityLevel;
    }

    public async Task<string> SetCompatibilityAsync(string? subject, string level, CancellationToken cancellationToken = default)
    {
        var path = subject is null ? "config" : $"config/{Escape(subject)}";
        var response = await SendAsync<ConfigUpdate>(HttpMethod.Put, path, new ConfigUpdate(level), cancellationToken).ConfigureAwait(false);
        return response.Compatibility ?? level;
    }

    /// <summary>Any call of the API; the body is sent as JSON and the response parsed as <typeparamref name="T"/>.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), Json), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SchemaRegistryClientException(0, 50003, $"Schema registry at {_http.BaseAddress} is unreachable: {e.Message}");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                try
                {
                    var error = JsonSerializer.Deserialize<ErrorResponse>(text);
                    throw new SchemaRegistryClientException(status, error?.ErrorCode ?? status, error?.Message ?? text);
                }
                catch (JsonException)
                {
                    throw new SchemaRegistryClientException(status, status, $"HTTP {status}: {text}");
                }
            }
            try
            {
                return JsonSerializer.Deserialize<T>(text, Json) ?? throw new SchemaRegistryClientException((int)response.StatusCode, 50001, "Empty response");
            }
            catch (JsonException e)
            {
                throw new SchemaRegistryClientException((int)response.StatusCode, 50001, $"Unexpected response from {path}: {e.Message}");
            }
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string? NullIfAvro(string? schemaType) => schemaType is null || schemaType.Equals("AVRO", StringComparison.OrdinalIgnoreCase) ? null : schemaType;

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
