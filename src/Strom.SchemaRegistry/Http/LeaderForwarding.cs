using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strom.SchemaRegistry.Cluster;

namespace Strom.SchemaRegistry.Http;

/// <summary>
/// Followers pass writes on, as Confluent's do: a request that changes state (PUT, DELETE, POST of
/// a new version) is sent as-is to the elected leader's URL and its answer returned. Reads, lookups
/// and compatibility checks are served locally. A write waits a bounded time for a leader to be known
/// (50004 after that); when the leader cannot be reached it goes to the next one elected (else 50003).
/// </summary>
internal static class LeaderForwarding
{
    private const string ForwardedHeader = "X-Strom-Forwarded";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!IsWrite(http.Request) || http.RequestServices.GetService<ElectorSlot>() is not { } slot)
        {
            return await next(context).ConfigureAwait(false);
        }
        var wait = http.RequestServices.GetService<SchemaRegistryOptions>()?.LeaderWait ?? TimeSpan.Zero;
        var leader = await WaitForLeaderAsync(slot, null, wait, http.RequestAborted).ConfigureAwait(false);
        if (slot.Elector is { IsLeader: true })
        {
            return await next(context).ConfigureAwait(false);
        }
        if (http.Request.Headers.ContainsKey(ForwardedHeader))
        {
            throw RegistryException.ForwardingError($"this instance is not the leader; the leader is {leader.Url}");
        }
        if (http.Request.ContentLength is > SchemaRegistryEndpoints.MaxBodyBytes)
        {
            throw RegistryException.SchemaTooLarge(SchemaRegistryEndpoints.MaxBodyBytes);
        }
        byte[]? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        try
        {
            return await ForwardAsync(http, leader, body).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The leader went away: once a different one is elected, the write goes there (or is served here).
            var next2 = await WaitForLeaderAsync(slot, leader, wait, http.RequestAborted).ConfigureAwait(false);
            if (slot.Elector is { IsLeader: true })
            {
                return await next(context).ConfigureAwait(false);
            }
            try
            {
                return await ForwardAsync(http, next2, body).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !http.RequestAborted.IsCancellationRequested)
            {
                throw RegistryException.ForwardingError(e.Message);
            }
        }
        catch (TaskCanceledException e) when (!http.RequestAborted.IsCancellationRequested)
        {
            throw RegistryException.ForwardingError(e.Message);
        }
    }

    /// <summary>The elected leader, waiting up to <paramref name="wait"/> for one (other than <paramref name="failed"/>); else 50004.</summary>
    private static async Task<RegistryIdentity> WaitForLeaderAsync(ElectorSlot slot, RegistryIdentity? failed, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (slot.Elector?.Leader is { } leader && (failed is null || leader != failed || slot.Elector.IsLeader))
            {
                return leader;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw RegistryException.UnknownLeader();
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> ForwardAsync(HttpContext http, RegistryIdentity leader, byte[]? body)
    {
        var target = new Uri(leader.Url, http.Request.PathBase + http.Request.Path + http.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", http.Request.ContentType ?? SchemaRegistryEndpoints.ContentType);
        }
        request.Headers.TryAddWithoutValidation(ForwardedHeader, "1");
        using var response = await Http.SendAsync(request, http.RequestAborted).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(http.RequestAborted).ConfigureAwait(false);
        return Results.Content(System.Text.Encoding.UTF8.GetString(answer), response.Content.Headers.ContentType?.MediaType ?? SchemaRegistryEndpoints.ContentType,
            System.Text.Encoding.UTF8, (int)response.StatusCode);
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
