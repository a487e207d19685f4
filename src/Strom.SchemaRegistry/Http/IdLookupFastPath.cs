using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Strom.SchemaRegistry.Http;

/// <summary>
/// GET /schemas/ids/{id} without a query string answered before routing: every consumer asks it for
/// each writer schema id it meets, so it skips endpoint matching, filters and result objects and
/// writes the cached JSON. Anything else (an unknown id, a query, another path) goes down the normal
/// pipeline, which produces the same answer plus Confluent's error bodies.
/// </summary>
internal static class IdLookupFastPath
{
    private const string Prefix = "/schemas/ids/";

    public static IApplicationBuilder UseIdLookupFastPath(this IApplicationBuilder app)
    {
        var registry = app.ApplicationServices.GetRequiredService<SchemaRegistryService>();
        return app.Use(next => context =>
        {
            var request = context.Request;
            if (!HttpMethods.IsGet(request.Method) || request.QueryString.HasValue || !TryParseId(request.Path.Value, out var id)
                || registry.TryGetSchemaByIdUtf8(id) is not { } json)
            {
                return next(context);
            }
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = SchemaRegistryEndpoints.ContentType;
            response.ContentLength = json.Length;
            return response.Body.WriteAsync(json, context.RequestAborted).AsTask();
        });
    }

    /// <summary>"/schemas/ids/{id}" with id a non-negative decimal int (what the {id:int} route takes, bar signs).</summary>
    internal static bool TryParseId(string? path, out int id)
    {
        id = 0;
        if (path is null || !path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var digits = path.AsSpan(Prefix.Length);
        if (digits.IsEmpty || digits.Length > 10)
        {
            return false;
        }
        long value = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        if (value > int.MaxValue)
        {
            return false;
        }
        id = (int)value;
        return true;
    }
}
