using System.Buffers.Binary;
using System.Text.Json;
using Strom.Avro;
using Strom.Avro.Generic;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Serdes;

namespace Strom.SchemaRegistry.Tests;

/// <summary>The serdes against a real registry listener: framing, subjects, registration modes.</summary>
public sealed class SerdeTests : IAsyncLifetime
{
    private const string PaymentSchema = """
        {"type":"record","name":"Payment","namespace":"shop","fields":[
          {"name":"id","type":"string"},{"name":"amount","type":"double"},
          {"name":"note","type":["null","string"],"default":null}]}
        """;

    private RegistryServer _server = null!;
    private SchemaRegistryClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await RegistryServer.StartAsync();
        _client = new SchemaRegistryClient(_server.Host.Addresses[0].ToString());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static SerializationContext Value(string topic) => new(topic, MessageComponent.Value);

    [Fact]
    public async Task AvroRoundTripsThroughTheRegistryInConfluentFraming()
    {
        var schema = (RecordSchema)AvroSchema.Parse(PaymentSchema);
        var record = new GenericRecord(schema).With("id", "p-1").With("amount", 9.5).With("note", "hi");
        var serializer = new AvroSerializer(_client);
        var bytes = serializer.Serialize(record, Value("payments"))!;

        Assert.Equal(0, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        Assert.Equal(id, (await _client.GetVersionAsync("payments-value")).Id);
        var decoded = (GenericRecord)new AvroDeserializer(_client).Deserialize(bytes, false, Value("payments"))!;
        Assert.Equal(record, decoded);
        Assert.Null(new AvroDeserializer(_client).Deserialize([], true, Value("payments")));

        // Keys are registered under <topic>-key; primitives have their own schemas.
        var key = serializer.Serialize("k-1", new SerializationContext("payments", MessageComponent.Key))!;
        Assert.Equal("\"string\"", (await _client.GetVersionAsync("payments-key")).Schema);
        Assert.Equal("k-1", new AvroDeserializer(_client).Deserialize(key, false, Value("payments")));
    }

    [Theory]
    [InlineData(SubjectNameStrategy.Topic, "orders-value")]
    [InlineData(SubjectNameStrategy.Record, "shop.Payment")]
    [InlineData(SubjectNameStrategy.TopicRecord, "orders-shop.Payment")]
    public async Task SubjectNameStrategies(SubjectNameStrategy strategy, string subject)
    {
        var schema = (RecordSchema)AvroSchema.Parse(PaymentSchema);
        var serializer = new AvroSerializer(_client, new SerializerConfig { SubjectNameStrategy = strategy });
        await serializer.SerializeAsync(new GenericRecord(schema).With("id", "x").With("amount", 1.0), Value("orders"));
        Assert.Equal([subject], await _client.GetSubjectsAsync());
    }

    [Fact]
    public async Task WithoutAutoRegisterTheSchemaMustExistAndUseLatestWritesWithTheLatestSchema()
    {
        var schema = (RecordSchema)AvroSchema.Parse(PaymentSchema);
        var record = new GenericRecord(schema).With("id", "x").With("amount", 1.0);
        var strict = new AvroSerializer(_client, new SerializerConfig { AutoRegisterSchemas = false });
        var error = await Assert.ThrowsAsync<SchemaSerializationException>(() => strict.SerializeAsync(record, Value("t")));
        Assert.Contains("40401", error.Message, StringComparison.Ordinal);

        var v1 = await _client.RegisterAsync("t-value", PaymentSchema);
        var bytes = await strict.SerializeAsync(record, Value("t"));
        Assert.Equal(v1, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));

        // A newer version with an extra defaulted field: use.latest.version writes with it.
        var v2Text = PaymentSchema.Replace("""{"name":"note",""", """{"name":"currency","type":"string","default":"EUR"},{"name":"note",""", StringComparison.Ordinal);
        var v2 = await _client.RegisterAsync("t-value", v2Text);
        var latest = new AvroSerializer(_client, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false });
        var written = await latest.SerializeAsync(new GenericRecord((RecordSchema)AvroSchema.Parse(v2Text)).With("id", "y").With("amount", 2.0).With("currency", "USD"), Value("t"));
        Assert.Equal(v2, BinaryPrimitives.ReadInt32BigEndian(written.AsSpan(1)));
        // An old reader resolves it to its own schema.
        var old = (GenericRecord)new AvroDeserializer(_client, schema).Deserialize(written, false, Value("t"))!;
        Assert.Equal("y", old["id"]);
        Assert.Null(old.Schema.GetField("currency"));
    }

    [Fact]
    public void BadFramesAreRejectedWithAReason()
    {
        var deserializer = new AvroDeserializer(_client);
        Assert.Contains("magic byte", Assert.Throws<SchemaSerializationException>(() => deserializer.Deserialize([1, 0, 0, 0, 1, 2], false, Value("t"))).Message);
        Assert.Contains("at least 5 bytes", Assert.Throws<SchemaSerializationException>(() => deserializer.Deserialize([0, 0], false, Value("t"))).Message);
        Assert.Contains("Cannot fetch schema 4242", Assert.Throws<SchemaSerializationException>(() => deserializer.Deserialize([0, 0, 0, 0x10, 0x92, 2], false, Value("t"))).Message);
    }

    public sealed record Order(int Id, string Name);

    [Fact]
    public async Task JsonSchemaSerdeValidatesAndUsesTheTitleAsRecordName()
    {
        var schema = """{"title":"Order","type":"object","properties":{"Id":{"type":"integer","minimum":1},"Name":{"type":"string"}},"required":["Id","Name"]}""";
        var serializer = new JsonSchemaSerializer<Order>(_client, schema, new SerializerConfig { SubjectNameStrategy = SubjectNameStrategy.TopicRecord });
        var bytes = await serializer.SerializeAsync(new Order(7, "seven"), Value("orders"));
        Assert.Equal(["orders-Order"], await _client.GetSubjectsAsync());
        Assert.Equal("JSON", (await _client.GetVersionAsync("orders-Order")).SchemaType);
        Assert.Equal("""{"Id":7,"Name":"seven"}""", System.Text.Encoding.UTF8.GetString(bytes.AsSpan(5)));
        Assert.Equal(new Order(7, "seven"), new JsonSchemaDeserializer<Order>(_client, validate: true).Deserialize(bytes, false, Value("orders")));

        var invalid = await Assert.ThrowsAsync<SchemaSerializationException>(() => serializer.SerializeAsync(new Order(0, "zero"), Value("orders")));
        Assert.Contains("minimum", invalid.Message, StringComparison.Ordinal);
        var tampered = bytes[..5].Concat("""{"Id":"x"}"""u8.ToArray()).ToArray();
        Assert.Throws<SchemaSerializationException>(() => new JsonSchemaDeserializer<Order>(_client, validate: true).Deserialize(tampered, false, Value("orders")));
    }

    [Fact]
    public async Task ProtobufSerdeWritesMessageIndexes()
    {
        var schema = """
            syntax = "proto3";
            package shop;
            message Order { int32 id = 1; message Line { string sku = 1; } }
            message Refund { int32 id = 1; }
            """;
        var serializer = new ProtobufSerializer(_client, schema);
        byte[] payload = [0x08, 0x2A]; // field 1 = 42
        var first = await serializer.SerializeAsync(new ProtobufMessage(null, payload), Value("p"));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 1, 0, 0x08, 0x2A }, first);
        var nested = await serializer.SerializeAsync(new ProtobufMessage("shop.Order.Line", payload), Value("p"));
        Assert.Equal(new byte[] { 2 * 2, 0, 2 * 0 }, nested[5..8]); // count 2, indexes [0, 0] as zig-zag
        var refund = await serializer.SerializeAsync(new ProtobufMessage("shop.Refund", payload), Value("p"));
        Assert.Equal(new byte[] { 2, 2 }, refund[5..7]); // count 1, index [1]

        var deserializer = new ProtobufDeserializer(_client);
        var read = deserializer.Deserialize(nested, false, Value("p"))!;
        Assert.Equal("shop.Order.Line", read.MessageName);
        Assert.Equal([0, 0], read.Indexes);
        Assert.Equal(payload, read.Payload.ToArray());
        Assert.Equal("shop.Refund", deserializer.Deserialize(refund, false, Value("p"))!.MessageName);
        Assert.Throws<SchemaSerializationException>(() => serializer.Serialize(new ProtobufMessage("shop.Nope", payload), Value("p")));
        var badIndexes = first[..5].Concat(new byte[] { 2, 18 }).ToArray(); // [9]: no such message
        Assert.Throws<SchemaSerializationException>(() => deserializer.Deserialize(badIndexes, false, Value("p")));
    }
}
