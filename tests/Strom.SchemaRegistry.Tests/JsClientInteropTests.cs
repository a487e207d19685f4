using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Strom.Avro.Generic;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Serdes;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// The JavaScript registry clients against the registry and Strom's serdes, both ways:
/// @kafkajs/confluent-schema-registry (avsc, ajv, protobufjs) and @confluentinc/schemaregistry.
/// They register and encode, Strom decodes; Strom encodes with the schema they registered, they
/// decode. Needs node and the packages of tests/clients/js-schema (test.sh runs npm ci there):
/// without them these tests fail, they do not pass silently.
/// </summary>
public sealed class JsClientInteropTests : IAsyncLifetime
{
    private static readonly string ScriptDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/js-schema"));
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

    [Theory]
    [InlineData("kafkajs")]
    [InlineData("confluent")]
    public async Task Avro(string client)
    {
        var encoded = await EncodeWithNodeAsync(client, "avro");
        var record = (GenericRecord)new AvroDeserializer(_client).Deserialize(encoded.Payload, false, Context("avro", client))!;
        Assert.Equal("p-1", record["id"]);
        Assert.Equal(12.5, record["amount"]);
        Assert.Equal(3L, record["count"]);
        Assert.Equal(new List<object?> { "a", "b" }, (IList<object?>)record["tags"]!);
        Assert.Equal("hi", record["note"]);
        Assert.Equal("CASH", ((GenericEnum)record["kind"]!).Symbol);

        record["id"] = "from-strom";
        record["note"] = null;
        var ours = await new AvroSerializer(_client, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false })
            .SerializeAsync(record, Context("avro", client));
        Assert.Equal(encoded.Id, BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(1)));
        var decoded = JsonNode.Parse(await RunNodeAsync(client, "avro", "decode", Convert.ToHexString(ours)))!;
        Assert.Equal("from-strom", decoded["id"]!.GetValue<string>());
        Assert.Null(decoded["note"]);
        Assert.Equal("CASH", decoded["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("kafkajs")]
    [InlineData("confluent")]
    public async Task JsonSchema(string client)
    {
        var encoded = await EncodeWithNodeAsync(client, "json");
        var value = new JsonSchemaDeserializer<JsonElement>(_client, validate: true).Deserialize(encoded.Payload, false, Context("json", client));
        Assert.Equal(7, value.GetProperty("id").GetInt32());
        Assert.Equal("seven", value.GetProperty("name").GetString());

        var schema = (await _client.GetVersionAsync($"json-{client}-value")).Schema;
        var ours = await new JsonSchemaSerializer<object>(_client, schema, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false })
            .SerializeAsync(new { id = 8, name = "eight", tags = new[] { "y" } }, Context("json", client));
        Assert.Equal(encoded.Id, BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(1)));
        var decoded = JsonNode.Parse(await RunNodeAsync(client, "json", "decode", Convert.ToHexString(ours)))!;
        Assert.Equal(8, decoded["id"]!.GetValue<int>());
        Assert.Equal("eight", decoded["name"]!.GetValue<string>());
    }

    /// <summary>
    /// kafkajs registers a .proto and decodes what Strom writes (header, message index 0, message).
    /// The other direction is not compared: kafkajs 3.x writes no message indexes, so its frames are
    /// not Confluent's wire format.
    /// </summary>
    [Fact]
    public async Task ProtobufWrittenByStromIsReadByKafkajs()
    {
        var encoded = await EncodeWithNodeAsync("kafkajs", "protobuf");
        var schema = (await _client.GetSchemaByIdAsync(encoded.Id)).Schema;
        Assert.Equal("PROTOBUF", (await _client.GetSchemaByIdAsync(encoded.Id)).SchemaType);
        byte[] message = [0x0A, 3, (byte)'p', (byte)'-', (byte)'2', 0x10, 5, 0x1A, 1, (byte)'z'];
        var ours = await new ProtobufSerializer(_client, schema, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false })
            .SerializeAsync(new ProtobufMessage("interop.Payment", message), Context("protobuf", "kafkajs"));
        Assert.Equal(0, ours[5]);
        var decoded = JsonNode.Parse(await RunNodeAsync("kafkajs", "protobuf", "decode", Convert.ToHexString(ours)))!;
        Assert.Equal("p-2", decoded["id"]!.GetValue<string>());
        Assert.Equal("5", decoded["count"]!.ToString()); // int64 comes back as a string or a number
        Assert.Equal("z", decoded["tags"]![0]!.GetValue<string>());
    }

    private static SerializationContext Context(string format, string client) => new($"{format}-{client}", MessageComponent.Value);

    private async Task<(int Id, byte[] Payload)> EncodeWithNodeAsync(string client, string format)
    {
        var output = JsonNode.Parse(await RunNodeAsync(client, format, "encode"))!;
        var id = output["id"]!.GetValue<int>();
        var payload = Convert.FromHexString(output["payload"]!.GetValue<string>());
        Assert.Equal(0, payload[0]);
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(1, 4)));
        return (id, payload);
    }

    private async Task<string> RunNodeAsync(params string[] args)
    {
        foreach (var package in new[] { "@kafkajs/confluent-schema-registry", "@confluentinc/schemaregistry" })
        {
            Assert.True(Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", package)),
                $"{package} is not installed: run `npm ci` in {ScriptDirectory} (test.sh does)");
        }
        var start = new ProcessStartInfo("node") { WorkingDirectory = ScriptDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("interop.js");
        start.ArgumentList.Add(_url);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node interop.js {string.Join(' ', args)}: {await stderr}");
        return (await stdout).Trim();
    }
}
