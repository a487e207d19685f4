using System.Buffers.Binary;
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
/// decode (Protobuf through @confluentinc/schemaregistry's format=serialized). Needs node and the packages of tests/clients/js-schema (test.sh runs npm ci there):
/// without them these tests fail, they do not pass silently.
/// </summary>
public sealed class JsClientInteropTests : RegistryClientTestBase
{
    private static readonly string ScriptDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/js-schema"));
    [Theory]
    [InlineData("kafkajs")]
    [InlineData("confluent")]
    public async Task Avro(string client)
    {
        var encoded = await EncodeWithNodeAsync(client, "avro");
        var record = (GenericRecord)new AvroDeserializer(Client).Deserialize(encoded.Payload, false, Context("avro", client))!;
        Assert.Equal("p-1", record["id"]);
        Assert.Equal(12.5, record["amount"]);
        Assert.Equal(3L, record["count"]);
        Assert.Equal(new List<object?> { "a", "b" }, (IList<object?>)record["tags"]!);
        Assert.Equal("hi", record["note"]);
        Assert.Equal("CASH", ((GenericEnum)record["kind"]!).Symbol);

        record["id"] = "from-strom";
        record["note"] = null;
        var ours = await new AvroSerializer(Client, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false })
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
        var value = new JsonSchemaDeserializer<JsonElement>(Client, validate: true).Deserialize(encoded.Payload, false, Context("json", client));
        Assert.Equal(7, value.GetProperty("id").GetInt32());
        Assert.Equal("seven", value.GetProperty("name").GetString());

        var schema = (await Client.GetVersionAsync($"json-{client}-value")).Schema;
        var ours = await new JsonSchemaSerializer<object>(Client, schema, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false })
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
        var schema = (await Client.GetSchemaByIdAsync(encoded.Id)).Schema;
        Assert.Equal("PROTOBUF", (await Client.GetSchemaByIdAsync(encoded.Id)).SchemaType);
        byte[] message = [0x0A, 3, (byte)'p', (byte)'-', (byte)'2', 0x10, 5, 0x1A, 1, (byte)'z'];
        var ours = await new ProtobufSerializer(Client, schema, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false })
            .SerializeAsync(new ProtobufMessage("interop.Payment", message), Context("protobuf", "kafkajs"));
        Assert.Equal(0, ours[5]);
        var decoded = JsonNode.Parse(await RunNodeAsync("kafkajs", "protobuf", "decode", Convert.ToHexString(ours)))!;
        Assert.Equal("p-2", decoded["id"]!.GetValue<string>());
        Assert.Equal("5", decoded["count"]!.ToString()); // int64 comes back as a string or a number
        Assert.Equal("z", decoded["tags"]![0]!.GetValue<string>());
    }

    /// <summary>
    /// @confluentinc/schemaregistry registers a .proto file and its import as base64 FileDescriptorProto
    /// (format=serialized) and encodes a message that is not the file's first (indexes [1]) and a nested
    /// one ([1, 0]); Strom reads both. Strom encodes an Order with the schema the registry stores as
    /// text; the Confluent deserializer, fetching it in serialized form, reads it.
    /// </summary>
    [Fact]
    public async Task ProtobufWithConfluentSerdes()
    {
        var output = JsonNode.Parse(await RunNodeAsync("confluent", "protobuf", "encode"))!;
        var id = output["id"]!.GetValue<int>();
        var context = Context("protobuf", "confluent");
        var deserializer = new ProtobufDeserializer(Client);
        var order = deserializer.Deserialize(Convert.FromHexString(output["payload"]!.GetValue<string>()), false, context)!;
        Assert.Equal(("interop.Order", id), (order.MessageName, order.SchemaId));
        Assert.Equal([1], order.Indexes);
        var fields = Fields(order.Payload.ToArray());
        Assert.Equal("o-1", Text(fields[1][0]));
        Assert.Equal(3L, Varint(fields[2][0]));
        Assert.Equal(["a", "b"], fields[3].Select(Text));
        var line = Fields(fields[4][0]);
        Assert.Equal(("sku-1", 2L), (Text(line[1][0]), Varint(line[2][0])));
        Assert.Equal(1_700_000_000L, Varint(Fields(fields[5][0])[1][0]));
        Assert.Equal("EUR", Text(Fields(fields[7][0])[1][0]));
        var nested = deserializer.Deserialize(Convert.FromHexString(output["line"]!.GetValue<string>()), false, context)!;
        Assert.Equal("interop.Order.Line", nested.MessageName);
        Assert.Equal([1, 0], nested.Indexes);

        // Stored as .proto text, with the import as a reference registered the same way.
        var stored = await Client.GetVersionAsync("protobuf-confluent-value");
        Assert.Equal(id, stored.Id);
        Assert.Contains("message Order {", stored.Schema, StringComparison.Ordinal);
        Assert.Contains("import \"google/protobuf/timestamp.proto\";", stored.Schema, StringComparison.Ordinal);
        var reference = Assert.Single(stored.References!);
        Assert.Equal(("interop/common.proto", "interop/common.proto"), (reference.Name, reference.Subject));

        byte[] line2 = [.. Field(1, "z"u8), 0x10, 4];
        byte[] message = [.. Field(1, "from-strom"u8), 0x10, 9, .. Field(4, line2), .. Field(5, [0x08, 0x80, 0xE2, 0xCF, 0xAA, 0x06])];
        var ours = await new ProtobufSerializer(Client, stored.Schema, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false }, stored.References)
            .SerializeAsync(new ProtobufMessage("interop.Order", message), context);
        Assert.Equal([2, 2], ours.AsSpan(5, 2).ToArray()); // zigzag varints: one index, 1
        var decoded = JsonNode.Parse(await RunNodeAsync("confluent", "protobuf", "decode", Convert.ToHexString(ours)))!;
        Assert.Equal("interop.Order", decoded["type"]!.GetValue<string>());
        Assert.Equal("from-strom", decoded["value"]!["id"]!.GetValue<string>());
        Assert.Equal("9", decoded["value"]!["count"]!.GetValue<string>());
        Assert.Equal("z", decoded["value"]!["lines"]![0]!["sku"]!.GetValue<string>());
        Assert.Equal("2023-11-14T22:13:20Z", decoded["value"]!["at"]!.GetValue<string>());

        static byte[] Field(int number, ReadOnlySpan<byte> bytes) => [(byte)(number << 3 | 2), (byte)bytes.Length, .. bytes];
    }

    /// <summary>A message's fields by number (length-delimited as bytes, varints as their value in 8 bytes).</summary>
    private static Dictionary<int, List<byte[]>> Fields(byte[] message)
    {
        var fields = new Dictionary<int, List<byte[]>>();
        var reader = new Strom.SchemaRegistry.Schemas.Protobuf.Descriptors.ProtoReader(message);
        while (reader.Next())
        {
            var value = reader.WireType == 2 ? reader.Bytes().ToArray() : BitConverter.GetBytes(reader.VarInt());
            (fields.TryGetValue(reader.Field, out var list) ? list : fields[reader.Field] = []).Add(value);
        }
        return fields;
    }

    private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    private static long Varint(byte[] bytes) => BitConverter.ToInt64(bytes);

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
        var (exitCode, stdout, stderr) = await ExternalProcess.RunAsync("node", ["interop.js", Url, .. args], ScriptDirectory);
        Assert.True(exitCode == 0, $"node interop.js {string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
