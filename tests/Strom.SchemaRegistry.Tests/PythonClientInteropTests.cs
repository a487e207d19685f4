using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Serdes;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// confluent-kafka's Python registry client (Debian's python3-confluent-kafka, with python3-requests
/// and python3-jsonschema) against the registry: tests/clients/schema_registry_python.py drives the
/// REST client and the JSON Schema serde, then Strom decodes what Python serialized. Avro serdes are
/// not run: they need fastavro, which Debian does not package. Without the packages this test fails.
/// </summary>
public sealed class PythonClientInteropTests : IAsyncLifetime
{
    private const string SystemPython = "/usr/bin/python3";
    private static readonly string Script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/schema_registry_python.py"));
    private RegistryServer _server = null!;
    private SchemaRegistryClient _client = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _server = await RegistryServer.StartAsync();
        _url = _server.Host.Addresses[0].ToString().TrimEnd('/');
        _client = new SchemaRegistryClient(_url);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ConfluentKafkaPythonRegistryClientAndJsonSerde()
    {
        var start = new ProcessStartInfo(SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(_url);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var output = (await stdout).Trim();
        Assert.True(process.ExitCode == 0,
            $"schema_registry_python.py exited {process.ExitCode} (needs apt-get install -y python3-confluent-kafka python3-requests python3-jsonschema): {output} {await stderr}");

        var result = JsonNode.Parse(output)!;
        var id = result["id"]!.GetValue<int>();
        var payload = Convert.FromHexString(result["payload"]!.GetValue<string>());
        Assert.Equal(0, payload[0]);
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(1, 4)));
        Assert.Equal("JSON", (await _client.GetSchemaByIdAsync(id)).SchemaType);
        var value = new JsonSchemaDeserializer<JsonElement>(_client, validate: true)
            .Deserialize(payload, false, new SerializationContext("py-json", MessageComponent.Value));
        Assert.Equal(7, value.GetProperty("id").GetInt32());
        Assert.Equal("seven", value.GetProperty("name").GetString());
        Assert.Equal("x", value.GetProperty("tags")[0].GetString());
    }
}
