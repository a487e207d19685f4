using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strom.SchemaRegistry.Cluster;

namespace Strom.SchemaRegistry.Http;

/// <summary>
/// Followers pass writes on, as Confluent's do: a request that changes state (PUT, DELETE, POST of
/// a new version) is sent as-is to the elected leader's URL and its answer returned. Reads, lookups
/// and compatibility checks are served locally. Without a leader: 50004; the leader unreachable: 50003.
/// </summary>
internal static class LeaderForwarding
{
    private const string ForwardedHeader = "X-Strom-Forwarded";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!IsWrite(http.Request) || http.RequestServices.GetService<ElectorSlot>() is not { } slot || slot.Elector is { IsLeader: true })
        {
            return await next(context).ConfigureAwait(false);
        }
        if (slot.Elector?.Leader is not { } leader)
        {
            throw RegistryException.UnknownLeader();
        }
        if (http.Request.Headers.ContainsKey(ForwardedHeader))
        {
            throw RegistryException.ForwardingError($"this instance is not the leader; the leader is {leader.Url}");
        }
        var target = new Uri(leader.Url, http.Request.PathBase + http.Request.Path + http.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target);
        if (http.Request.ContentLength is > SchemaRegistryEndpoints.MaxBodyBytes)
        {
            throw RegistryException.SchemaTooLarge(SchemaRegistryEndpoints.MaxBodyBytes);
        }
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
            request.Content = new ByteArrayContent(body.ToArray());
            request.Content.Headers.TryAddWithoutValidation("Content-Type", http.Request.ContentType ?? SchemaRegistryEndpoints.ContentType);
        }
        request.Headers.TryAddWithoutValidation(ForwardedHeader, "1");
        HttpResponseMessage response;
        byte[] answer;
        try
        {
            response = await Http.SendAsync(request, http.RequestAborted).ConfigureAwait(false);
            answer = await response.Content.ReadAsByteArrayAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !http.RequestAborted.IsCancellationRequested)
        {
            throw RegistryException.ForwardingError(e.Message);
        }
        using (response)
        {
            return Results.Content(System.Text.Encoding.UTF8.GetString(answer), response.Content.Headers.ContentType?.MediaType ?? SchemaRegistryEndpoints.ContentType,
                System.Text.Encoding.UTF8, (int)response.StatusCode);
        }
    }

    /// <summary>State changes: PUT and DELETE, and POST /subjects/{s}/versions (POST /subjects/{s} and /compatibility are reads).</summary>
    private static bool IsWrite(HttpRequest request) =>
        HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method)
        || (HttpMethods.IsPost(request.Method) && request.Path.Value is { } path
            && path.Contains("/subjects/", StringComparison.Ordinal) && path.EndsWith("/versions", StringComparison.Ordinal));
}

/// <summary>The running elector, set once the listener's address (and so this instance's URL) is known.</summary>
internal sealed class ElectorSlot
{
    public volatile LeaderElector? Elector;
}
