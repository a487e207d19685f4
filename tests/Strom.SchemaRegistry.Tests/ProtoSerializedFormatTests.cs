using Strom.SchemaRegistry.Schemas.Protobuf;

namespace Strom.SchemaRegistry.Tests;

/// <summary>The registry's Protobuf forms: .proto text or base64 FileDescriptorProto in, format=serialized out.</summary>
public sealed class ProtoSerializedFormatTests : IAsyncLifetime
{
    private const string Common = "syntax = \"proto3\";\npackage crm;\nmessage Customer { string name = 1; }\n";
    private RegistryServer _server = null!;

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Serialized(string text, params (string Name, string Schema)[] references) =>
        Convert.ToBase64String(ProtoSchema.Parse(text, references).ToDescriptor());

    [Fact]
    public async Task TextAndSerializedFormsOfOneSchemaShareAnIdAndStoredText()
    {
        var text = ProtoDescriptorTests.Proto3;
        var textId = await _server.RegisterAsync("text-value", text, "PROTOBUF");
        var serializedId = await _server.RegisterAsync("serialized-value", Serialized(text), "PROTOBUF");
        Assert.Equal(textId, serializedId);

        var byId = (await _server.GetAsync($"/schemas/ids/{textId}")).Body!;
        var printed = ProtoSchema.Parse(text, []).ToText();
        Assert.Equal(printed, byId["schema"]!.GetValue<string>());
        Assert.Equal(printed, (await _server.GetAsync("/subjects/serialized-value/versions/1")).Body!["schema"]!.GetValue<string>());

        foreach (var path in new[] { $"/schemas/ids/{textId}?format=serialized", $"/schemas/ids/{textId}?subject=text-value&format=serialized",
            "/subjects/text-value/versions/latest?format=serialized", "/subjects/serialized-value/versions/1?deleted=true&format=serialized" })
        {
            var schema = (await _server.GetAsync(path)).Body!["schema"]!.GetValue<string>();
            Assert.Equal(printed, ProtoSchema.FromDescriptor(Convert.FromBase64String(schema), []).ToText());
        }

        // Lookup takes either form and answers in the one asked for.
        var lookup = (await _server.PostAsync("/subjects/text-value?format=serialized", new { schema = Serialized(text), schemaType = "PROTOBUF" })).Body!;
        Assert.Equal((textId, 1), (lookup["id"]!.GetValue<int>(), lookup["version"]!.GetValue<int>()));
        Assert.Equal(Serialized(text), lookup["schema"]!.GetValue<string>());
        Assert.Equal(printed, (await _server.PostAsync("/subjects/serialized-value", new { schema = text, schemaType = "PROTOBUF" })).Body!["schema"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReferencesAndWellKnownImportsWorkInBothForms()
    {
        await _server.RegisterAsync(Uri.EscapeDataString("crm/customer.proto"), Serialized(Common), "PROTOBUF");
        var order = """
            syntax = "proto3";
            package shop;
            import "crm/customer.proto";
            import "google/protobuf/timestamp.proto";
            message Order { crm.Customer customer = 1; google.protobuf.Timestamp at = 2; }
            """;
        var references = new[] { new { name = "crm/customer.proto", subject = "crm/customer.proto", version = 1 } };
        var id = await _server.RegisterAsync("order-value", Serialized(order, ("crm/customer.proto", Common)), "PROTOBUF", references);
        Assert.Equal(id, await _server.RegisterAsync("order-text-value", order, "PROTOBUF", references));

        var serialized = (await _server.GetAsync($"/schemas/ids/{id}?format=serialized")).Body!;
        var descriptor = ProtoSchema.FromDescriptor(Convert.FromBase64String(serialized["schema"]!.GetValue<string>()), [("crm/customer.proto", Common)]);
        Assert.Equal(["crm/customer.proto", "google/protobuf/timestamp.proto"], descriptor.File.Imports);
        Assert.Equal("google.protobuf.Timestamp", descriptor.File.Messages[0].Fields[1].ResolvedType);
        Assert.Equal("crm/customer.proto", serialized["references"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheFormatIsIgnoredForOtherSchemaTypes()
    {
        var avro = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""";
        var id = await _server.RegisterAsync("avro-value", avro);
        Assert.Equal(avro, (await _server.GetAsync($"/schemas/ids/{id}?format=serialized")).Body!["schema"]!.GetValue<string>());
        Assert.Equal(avro, (await _server.GetAsync("/subjects/avro-value/versions/1?format=serialized")).Body!["schema"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("AAAA")]                       // a zero field number
    [InlineData("bWVzc2FnZQ==")]               // "message": a field 13 with wire type 5, truncated
    [InlineData("IgUK")]                       // a message_type declaring 5 bytes, 1 present
    [InlineData("IgMKASA=")]                   // a message named " "
    [InlineData("Cg==")]                       // truncated name
    [InlineData("Ig4KAUESCQoBYRgBIAEoDg==")]  // field of enum type with no type_name
    [InlineData("message&")]                   // neither base64 nor .proto text
    public async Task MalformedDescriptorsAreInvalidSchemas(string schema)
    {
        RegistryServer.AssertError(await _server.PostAsync("/subjects/bad-value/versions", new { schema, schemaType = "PROTOBUF" }), 42201);
        RegistryServer.AssertError(await _server.PostAsync("/compatibility/subjects/bad-value/versions/latest", new { schema, schemaType = "PROTOBUF" }), 42201);
    }
}
