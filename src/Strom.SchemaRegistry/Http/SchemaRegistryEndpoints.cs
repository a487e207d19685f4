using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Strom.SchemaRegistry.Http;

/// <summary>
/// Confluent Schema Registry's REST API as minimal-API endpoints. Responses are
/// application/vnd.schemaregistry.v1+json; errors are {"error_code", "message"} with the HTTP status
/// taken from the error code. Request bodies may be sent as any of Confluent's JSON content types.
/// </summary>
public static class SchemaRegistryEndpoints
{
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    /// <summary>Largest request body read, in bytes (a schema plus its JSON envelope).</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    internal static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = false, MaxDepth = 1024 };

    /// <summary>Maps every registry endpoint under <paramref name="prefix"/> (default: the root).</summary>
    public static RouteGroupBuilder MapSchemaRegistry(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        var api = endpoints.MapGroup(prefix);
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (RegistryException e)
            {
                return Error(e.HttpStatus, e.ErrorCode, e.Message);
            }
        });
        api.AddEndpointFilter(LeaderForwarding.FilterAsync);

        api.MapGet("/", () => Ok(new Dictionary<string, string>()));
        api.MapGet("/health", () => Ok(new Dictionary<string, string> { ["status"] = "UP" }));
        api.MapGet("/schemas/types", (SchemaRegistryService r) => Ok(r.SchemaTypes.Order(StringComparer.Ordinal).ToList()));
        api.MapGet("/schemas", (SchemaRegistryService r, string? subjectPrefix, string? deleted, string? latestOnly) =>
            Ok(r.GetSchemas(subjectPrefix, Flag(deleted), Flag(latestOnly))));
        api.MapGet("/schemas/ids/{id:int}", (SchemaRegistryService r, int id, string? subject, string? format) =>
            subject is null && format is null ? Results.Bytes(r.GetSchemaByIdUtf8(id), ContentType) : Ok(r.GetSchemaById(id, subject, format)));
        api.MapGet("/schemas/ids/{id:int}/schema", (SchemaRegistryService r, int id, string? subject, string? format) => Raw(r.GetSchemaById(id, subject, format).Schema));
        api.MapGet("/schemas/ids/{id:int}/subjects", (SchemaRegistryService r, int id, string? deleted) => Ok(r.GetSubjectsForId(id, Flag(deleted))));
        api.MapGet("/schemas/ids/{id:int}/versions", (SchemaRegistryService r, int id, string? deleted) => Ok(r.GetVersionsForId(id, Flag(deleted))));

        api.MapGet("/subjects", (SchemaRegistryService r, string? subjectPrefix, string? deleted) => Ok(r.GetSubjects(subjectPrefix, Flag(deleted))));
        api.MapGet("/subjects/{subject}/versions", (SchemaRegistryService r, string subject, string? deleted) =>
            Ok(r.GetVersions(Unescape(subject), Flag(deleted))));
        api.MapPost("/subjects/{subject}/versions", async (SchemaRegistryService r, HttpRequest request, string subject, string? normalize) =>
        {
            var body = await ReadBodyAsync<RegisterSchemaRequest>(request).ConfigureAwait(false);
            return Ok(new RegisterSchemaResponse(await r.RegisterAsync(Unescape(subject), body, Flag(normalize), request.HttpContext.RequestAborted).ConfigureAwait(false)));
        });
        api.MapGet("/subjects/{subject}/versions/{version}", (SchemaRegistryService r, string subject, string version, string? deleted, string? format) =>
            Ok(r.GetVersion(Unescape(subject), version, Flag(deleted), format)));
        api.MapGet("/subjects/{subject}/versions/{version}/schema", (SchemaRegistryService r, string subject, string version, string? deleted, string? format) =>
            Raw(r.GetVersion(Unescape(subject), version, Flag(deleted), format).Schema));
        api.MapGet("/subjects/{subject}/versions/{version}/referencedby", (SchemaRegistryService r, string subject, string version) =>
            Ok(r.GetReferencedBy(Unescape(subject), version)));
        api.MapDelete("/subjects/{subject}/versions/{version}", async (SchemaRegistryService r, HttpContext http, string subject, string version, string? permanent) =>
            Ok(await r.DeleteVersionAsync(Unescape(subject), version, Flag(permanent), http.RequestAborted).ConfigureAwait(false)));
        api.MapPost("/subjects/{subject}", async (SchemaRegistryService r, HttpRequest request, string subject, string? normalize, string? deleted, string? format) =>
        {
            var body = await ReadBodyAsync<RegisterSchemaRequest>(request).ConfigureAwait(false);
            return Ok(r.Lookup(Unescape(subject), body, Flag(normalize), Flag(deleted), format));
        });
        api.MapDelete("/subjects/{subject}", async (SchemaRegistryService r, HttpContext http, string subject, string? permanent) =>
            Ok(await r.DeleteSubjectAsync(Unescape(subject), Flag(permanent), http.RequestAborted).ConfigureAwait(false)));

        api.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (SchemaRegistryService r, HttpRequest request, string subject, string version, string? verbose, string? normalize) =>
        {
            var body = await ReadBodyAsync<RegisterSchemaRequest>(request).ConfigureAwait(false);
            return Ok(r.TestCompatibility(Unescape(subject), version, body, Flag(normalize), Flag(verbose)));
        });
        api.MapPost("/compatibility/subjects/{subject}/versions", async (SchemaRegistryService r, HttpRequest request, string subject, string? verbose, string? normalize) =>
        {
            var body = await ReadBodyAsync<RegisterSchemaRequest>(request).ConfigureAwait(false);
            return Ok(r.TestCompatibility(Unescape(subject), null, body, Flag(normalize), Flag(verbose)));
        });

        api.MapGet("/config", (SchemaRegistryService r) => Ok(new ConfigResponse(r.GetCompatibility(null, true))));
        api.MapPut("/config", async (SchemaRegistryService r, HttpRequest request) =>
        {
            var body = await ReadBodyAsync<ConfigUpdate>(request).ConfigureAwait(false);
            return Ok(new ConfigUpdate(await r.SetCompatibilityAsync(null, body.Compatibility, request.HttpContext.RequestAborted).ConfigureAwait(false)));
        });
        api.MapDelete("/config", async (SchemaRegistryService r, HttpContext http) =>
            Ok(new ConfigResponse(await r.DeleteCompatibilityAsync(null, http.RequestAborted).ConfigureAwait(false))));
        api.MapGet("/config/{subject}", (SchemaRegistryService r, string subject, string? defaultToGlobal) =>
            Ok(new ConfigResponse(r.GetCompatibility(Unescape(subject), Flag(defaultToGlobal)))));
        api.MapPut("/config/{subject}", async (SchemaRegistryService r, HttpRequest request, string subject) =>
        {
            var body = await ReadBodyAsync<ConfigUpdate>(request).ConfigureAwait(false);
            return Ok(new ConfigUpdate(await r.SetCompatibilityAsync(Unescape(subject), body.Compatibility, request.HttpContext.RequestAborted).ConfigureAwait(false)));
        });
        api.MapDelete("/config/{subject}", async (SchemaRegistryService r, HttpContext http, string subject) =>
            Ok(new ConfigResponse(await r.DeleteCompatibilityAsync(Unescape(subject), http.RequestAborted).ConfigureAwait(false))));

        api.MapGet("/mode", (SchemaRegistryService r) => Ok(new ModeBody(r.GetMode(null, true))));
        api.MapPut("/mode", async (SchemaRegistryService r, HttpRequest request, string? force) =>
        {
            var body = await ReadBodyAsync<ModeBody>(request).ConfigureAwait(false);
            return Ok(new ModeBody(await r.SetModeAsync(null, body.Mode, Flag(force), request.HttpContext.RequestAborted).ConfigureAwait(false)));
        });
        api.MapDelete("/mode", async (SchemaRegistryService r, HttpContext http) =>
            Ok(new ModeBody(await r.DeleteModeAsync(null, http.RequestAborted).ConfigureAwait(false))));
        api.MapGet("/mode/{subject}", (SchemaRegistryService r, string subject, string? defaultToGlobal) =>
            Ok(new ModeBody(r.GetMode(Unescape(subject), Flag(defaultToGlobal)))));
        api.MapPut("/mode/{subject}", async (SchemaRegistryService r, HttpRequest request, string subject, string? force) =>
        {
            var body = await ReadBodyAsync<ModeBody>(request).ConfigureAwait(false);
            return Ok(new ModeBody(await r.SetModeAsync(Unescape(subject), body.Mode, Flag(force), request.HttpContext.RequestAborted).ConfigureAwait(false)));
        });
        api.MapDelete("/mode/{subject}", async (SchemaRegistryService r, HttpContext http, string subject) =>
            Ok(new ModeBody(await r.DeleteModeAsync(Unescape(subject), http.RequestAborted).ConfigureAwait(false))));
        return api;
    }

    /// <summary>Answers unmatched paths the way the registry answers everything else: a JSON error body.</summary>
    public static void MapSchemaRegistryFallback(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapFallback(() => Error(404, 404, "HTTP 404 Not Found"));

    internal static IResult Ok<T>(T value) => Results.Json(value, Json, ContentType);

    private static IResult Raw(string schemaJson) => Results.Text(schemaJson, ContentType, System.Text.Encoding.UTF8);

    internal static IResult Error(int status, int code, string message) =>
        Results.Json(new ErrorResponse(code, message), Json, ContentType, status);

    private static bool Flag(string? value) => value is not null && value.Equals("true", StringComparison.OrdinalIgnoreCase);

    private static string Unescape(string subject) => Uri.UnescapeDataString(subject);

    private static async Task<T> ReadBodyAsync<T>(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw RegistryException.SchemaTooLarge(MaxBodyBytes);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw RegistryException.SchemaTooLarge(MaxBodyBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            throw RegistryException.UnprocessableEntity("Request body is empty");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json)
                ?? throw RegistryException.UnprocessableEntity("Request body is null");
        }
        catch (JsonException e)
        {
            throw RegistryException.BadRequest("Unrecognized or malformed JSON body: " + e.Message);
        }
    }
}
