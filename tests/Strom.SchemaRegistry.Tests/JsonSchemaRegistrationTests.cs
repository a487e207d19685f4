using System.Net;
using System.Text.Json;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Schemas.Json;
using Strom.SchemaRegistry.Serdes;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// JSON Schema through the registry: a schema that breaks its draft's meta-schema is refused with
/// 42201 naming the problem, and nothing already registered changes; format assertion in the serdes.
/// </summary>
public sealed class JsonSchemaRegistrationTests : IAsyncLifetime
{
    private const string Good = """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""";

    private RegistryServer _server = null!;

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // (schema, text the 42201 message must contain)
    public static TheoryData<string, string> BadSchemas => new()
    {
        { """{"type":12}""", "$.type" },
        { """{"minimum":"x"}""", "$.minimum: expected \"number\", found string" },
        { """{"required":"a"}""", "$.required: expected \"array\", found string" },
        { """{"properties":{"a":{"maxLength":-1}}}""", "$.properties.a.maxLength: -1 is below the minimum 0" },
        { """{"properties":{"a":{"minItems":1.5}}}""", "$.properties.a.minItems: expected \"integer\"" },
        { """{"allOf":[]}""", "$.allOf: fewer than 1 items" },
        { """{"multipleOf":0}""", "$.multipleOf: 0 is not above 0" },
        { """{"items":{"type":"array","items":7}}""", "$.items" },
        { """{"$schema":"http://json-schema.org/draft-04/schema#","exclusiveMaximum":true}""", "$: property exclusiveMaximum requires maximum" },
        { """{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":true}}""", "$.properties.a: expected \"object\", found boolean" },
        { """{"$schema":"http://json-schema.org/draft-04/schema#","required":[]}""", "$.required: fewer than 1 items" },
        { """{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":{"type":"string"}}""", "$.prefixItems: expected \"array\"" },
        { """{"$schema":"https://json-schema.org/draft/2020-12/schema","$anchor":"1bad"}""", "$.$anchor: does not match" },
        { """{"$schema":"https://json-schema.org/draft/2019-09/schema","dependentRequired":{"a":"b"}}""", "$.dependentRequired.a: expected \"array\"" },
        { """{"$schema":"https://json-schema.org/draft/2019-09/schema","minContains":-2}""", "$.minContains" },
        { """{"pattern":"\\Z"}""", "not a regular expression" },
        { """{"$ref":"#/definitions/nowhere"}""", "does not resolve" },
    };

    [Theory]
    [MemberData(nameof(BadSchemas))]
    public async Task SchemasBreakingTheirMetaSchemaAreRefused(string schema, string reason)
    {
        var id = await _server.RegisterAsync("orders-value", Good, "JSON");
        var before = (await _server.GetAsync("/subjects/orders-value/versions")).Body!.ToJsonString();

        var response = await _server.PostAsync("/subjects/orders-value/versions", new { schema, schemaType = "JSON" });
        RegistryServer.AssertError(response, 42201);
        var message = response.Body!["message"]!.GetValue<string>();
        Assert.StartsWith("Invalid schema: ", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/fresh-value/versions", new { schema, schemaType = "JSON" }), 42201);

        Assert.Equal(before, (await _server.GetAsync("/subjects/orders-value/versions")).Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await _server.GetAsync("/subjects/fresh-value/versions")).Status);
        Assert.Equal(Good, (await _server.GetAsync($"/schemas/ids/{id}")).Body!["schema"]!.GetValue<string>());
        Assert.Equal(id, await _server.RegisterAsync("orders-value", Good, "JSON"));
    }

    [Theory]
    [InlineData("""{"$schema":"http://json-schema.org/draft-04/schema#","type":"number","maximum":5,"exclusiveMaximum":true}""")]
    [InlineData("""{"$schema":"http://json-schema.org/draft-06/schema#","exclusiveMaximum":5,"contains":{"const":1},"required":[]}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2019-09/schema","$recursiveAnchor":true,"items":[{"type":"string"}],"additionalItems":{"$recursiveRef":"#"}}""")]
    [InlineData("""{"$schema":"https://json-schema.org/draft/2020-12/schema","$dynamicAnchor":"n","prefixItems":[true],"items":{"$dynamicRef":"#n"},"unevaluatedProperties":false}""")]
    [InlineData("""{"type":"object","x-vendor":{"type":12},"format":"made-up","properties":{"when":{"type":"string","format":"date-time"}}}""")]
    [InlineData("true")]
    public async Task ValidSchemasOfEveryDraftRegister(string schema) => Assert.True(await _server.RegisterAsync("ok-value", schema, "JSON") > 0);

    [Fact]
    public async Task FormatIsAnAnnotationUnlessTheSerdeAssertsIt()
    {
        using var client = new SchemaRegistryClient(_server.Host.Addresses[0].ToString());
        var schema = """{"title":"Contact","type":"object","properties":{"Email":{"type":"string","format":"email"},"Id":{"type":"string","format":"uuid"}}}""";
        var context = new SerializationContext("contacts", MessageComponent.Value);
        var lenient = new JsonSchemaSerializer<Contact>(client, schema);
        var strict = new JsonSchemaSerializer<Contact>(client, schema, validation: new JsonSchemaValidationOptions { AssertFormat = true });

        var bad = await lenient.SerializeAsync(new Contact("not-an-email", "0"), context);
        var error = await Assert.ThrowsAsync<SchemaSerializationException>(() => strict.SerializeAsync(new Contact("not-an-email", "0"), context));
        Assert.Contains("$.Email: not a valid email", error.Message, StringComparison.Ordinal);
        var good = await strict.SerializeAsync(new Contact("a@example.com", "2f1c8a52-3b4e-4c8f-9a1d-7e6b5c4d3a21"), context);

        Assert.Equal("not-an-email", new JsonSchemaDeserializer<Contact>(client, validate: true).Deserialize(bad, false, context)!.Email);
        var asserting = new JsonSchemaDeserializer<Contact>(client, validate: true, validation: new JsonSchemaValidationOptions { AssertFormat = true });
        Assert.Contains("$.Id: not a valid uuid", Assert.Throws<SchemaSerializationException>(() => asserting.Deserialize(bad, false, context)).Message, StringComparison.Ordinal);
        Assert.Equal("a@example.com", asserting.Deserialize(good, false, context)!.Email);
    }

    [Fact]
    public void Draft201909ItemsArrayLeavesTheRestUnevaluated()
    {
        // The spec's reading (the tuple form of items annotates only its prefix); python3-jsonschema 4.10.3
        // counts every item as evaluated whenever "items" is present, so this case is not in the shared corpus.
        using var schema = JsonDocument.Parse("""{"$schema":"https://json-schema.org/draft/2019-09/schema","items":[{"type":"integer"}],"unevaluatedItems":{"type":"string"}}""");
        var document = new JsonSchemaDocument(schema.RootElement);
        using var numbers = JsonDocument.Parse("[1,2]");
        using var mixed = JsonDocument.Parse("""[1,"a"]""");
        Assert.False(JsonSchemaValidator.IsValid(document, numbers.RootElement));
        Assert.True(JsonSchemaValidator.IsValid(document, mixed.RootElement));
    }

    public sealed record Contact(string Email, string Id);
}
