using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry.Tests;

/// <summary>A registry on a real Kestrel listener (127.0.0.1, port 0) with an HttpClient pointed at it.</summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private SchemaRegistryHost _host;

    private RegistryServer(SchemaRegistryHost host, InMemorySchemaStore store)
    {
        _host = host;
        Store = store;
        Client = NewClient(host);
    }

    public InMemorySchemaStore Store { get; }
    public HttpClient Client { get; private set; }
    public SchemaRegistryHost Host => _host;

    public static async Task<RegistryServer> StartAsync(InMemorySchemaStore? store = null, SchemaRegistryOptions? options = null)
    {
        store ??= new InMemorySchemaStore();
        var host = await SchemaRegistryHost.StartAsync(
            (options ?? new SchemaRegistryOptions()) with { Listeners = "http://127.0.0.1:0" },
            _ => store, logging => logging.SetMinimumLevel(LogLevel.Warning));
        return new RegistryServer(host, store);
    }

    /// <summary>Stops the server and starts a new one that replays the same store.</summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        _host = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { Listeners = "http://127.0.0.1:0" }, _ => Store,
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        Client = NewClient(_host);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.schemaregistry.v1+json");
        }
        using var response = await Client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        if (content.Length > 0)
        {
            Assert.Equal("application/vnd.schemaregistry.v1+json", response.Content.Headers.ContentType?.MediaType);
        }
        return (response.StatusCode, content.Length == 0 ? null : JsonNode.Parse(content));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);

    public Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);

    public Task<(HttpStatusCode Status, JsonNode? Body)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>Registers and returns the id, failing the test on any error.</summary>
    public async Task<int> RegisterAsync(string subject, string schema, string? schemaType = null, object? references = null)
    {
        var (status, body) = await PostAsync($"/subjects/{subject}/versions", new { schema, schemaType, references });
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        return body!["id"]!.GetValue<int>();
    }

    /// <summary>Asserts a Confluent error: the status, the error_code, and that a message is present.</summary>
    public static void AssertError((HttpStatusCode Status, JsonNode? Body) response, int errorCode)
    {
        var expectedStatus = errorCode < 1000 ? errorCode : errorCode / 100;
        Assert.True((int)response.Status == expectedStatus, $"expected HTTP {expectedStatus}, got {(int)response.Status}: {response.Body?.ToJsonString()}");
        Assert.Equal(errorCode, response.Body!["error_code"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(response.Body!["message"]!.GetValue<string>()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _host.DisposeAsync();
    }

    private static HttpClient NewClient(SchemaRegistryHost host) => new() { BaseAddress = host.Addresses[0] };
}
