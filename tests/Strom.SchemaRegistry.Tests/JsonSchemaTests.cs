using System.Text.Json;
using Strom.SchemaRegistry.Schemas;
using Strom.SchemaRegistry.Schemas.Json;

namespace Strom.SchemaRegistry.Tests;

/// <summary>JSON Schema validation of documents and Confluent's JSON Schema compatibility rules.</summary>
public sealed class JsonSchemaTests
{
    private static readonly JsonSchemaProvider Provider = new();

    private const string Open = """{"type":"object","properties":{"a":{"type":"string"}}}""";
    private const string Closed = """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""";

    // (previous, proposed, BACKWARD compatible?, FORWARD compatible?, the incompatibility reported when not)
    public static TheoryData<string, string, bool, bool, string> Pairs => new()
    {
        { """{"type":"integer"}""", """{"type":"number"}""", true, false, "TYPE_NARROWED" },
        { """{"type":"string"}""", """{"type":"integer"}""", false, false, "TYPE_CHANGED" },
        { """{"type":"string"}""", """{"type":["string","null"]}""", true, false, "TYPE_NARROWED" },
        { """{"type":"string"}""", """{"type":"string","maxLength":5}""", false, true, "MAX_LENGTH_ADDED" },
        { """{"type":"string","maxLength":5}""", """{"type":"string","maxLength":3}""", false, true, "MAX_LENGTH_DECREASED" },
        { """{"type":"string","minLength":1}""", """{"type":"string","minLength":2}""", false, true, "MIN_LENGTH_INCREASED" },
        { """{"type":"string"}""", """{"type":"string","pattern":"^a"}""", false, true, "PATTERN_ADDED" },
        { """{"type":"number","maximum":10}""", """{"type":"number","maximum":20}""", true, false, "MAXIMUM_DECREASED" },
        { """{"type":"number","multipleOf":2}""", """{"type":"number","multipleOf":4}""", false, true, "MULTIPLE_OF_EXPANDED" },
        { """{"enum":["a","b"]}""", """{"enum":["a","b","c"]}""", true, false, "ENUM_ARRAY_NARROWED" },
        { """{"enum":["a","b"]}""", """{"enum":["a","c"]}""", false, false, "ENUM_ARRAY_CHANGED" },
        { Closed, """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}""", true, false, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" },
        { Closed, """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["b"],"additionalProperties":false}""", false, false, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL" },
        { Open, """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}""", false, true, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL" },
        { Open, """{"type":"object","properties":{"a":{"type":"string"},"b":{}}}""", true, true, "" },
        { Open, Closed, false, true, "ADDITIONAL_PROPERTIES_REMOVED" },
        { """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}""",
          """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":{"type":"integer"}}""", true, true, "" },
        { """{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}}""",
          """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":{"type":"integer"}}""", false, false, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL" },
        { Open, """{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}""", false, true, "REQUIRED_ATTRIBUTE_ADDED" },
        { Open, """{"type":"object","properties":{"a":{"type":"string","default":"x"}},"required":["a"]}""", true, true, "" },
        { """{"type":"array","items":{"type":"integer"}}""", """{"type":"array","items":{"type":"number"}}""", true, false, "TYPE_NARROWED" },
        { """{"type":"array","items":{"type":"integer"}}""", """{"type":"array","items":{"type":"integer"},"uniqueItems":true}""", false, true, "UNIQUE_ITEMS_ADDED" },
        { """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"oneOf":[{"type":"string"}]}""", false, true, "SUM_TYPE_NARROWED" },
        { """{"type":"string"}""", """{"anyOf":[{"type":"string"},{"type":"integer"}]}""", true, false, "SUM_TYPE_NARROWED" },
        { """{"allOf":[{"type":"object"}]}""", """{"allOf":[{"type":"object"},{"required":["a"]}]}""", false, true, "PRODUCT_TYPE_EXTENDED" },
        { """{"$defs":{"n":{"type":"integer"}},"type":"object","properties":{"x":{"$ref":"#/$defs/n"}}}""",
          """{"definitions":{"n":{"type":"string"}},"type":"object","properties":{"x":{"$ref":"#/definitions/n"}}}""", false, false, "TYPE_CHANGED" },
        { """{"type":"object","properties":{"next":{"$ref":"#"},"v":{"type":"integer"}}}""", """{"type":"object","properties":{"next":{"$ref":"#"},"v":{"type":"number"}}}""", true, false, "TYPE_NARROWED" },
        { "true", """{"type":"string"}""", false, true, "TYPE_NARROWED" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void CompatibilityMatrix(string previous, string proposed, bool backward, bool forward, string reported)
    {
        var old = Provider.Parse(previous, []);
        var @new = Provider.Parse(proposed, []);
        var backwardIssues = Provider.CheckCompatibility(@new, old, "new", "old");
        var forwardIssues = Provider.CheckCompatibility(old, @new, "old", "new");
        Assert.True(backward == (backwardIssues.Count == 0), "BACKWARD: " + string.Join("; ", backwardIssues));
        Assert.True(forward == (forwardIssues.Count == 0), "FORWARD: " + string.Join("; ", forwardIssues));
        if (reported.Length > 0)
        {
            Assert.Contains(backwardIssues.Concat(forwardIssues), m => m.Contains($"errorType:'{reported}'", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"x":{"$ref":"#/$defs/missing"}}}""", "does not resolve")]
    [InlineData("""{"type":"string","pattern":"(["}""", "not a regular expression")]
    [InlineData("""{"type":"strng"}""", "$.type")]
    [InlineData("""[1,2]""", "must be an object or a boolean")]
    [InlineData("""{"type":"object",""", "Invalid JSON")]
    public void InvalidSchemasAreRejected(string schema, string reason)
    {
        var error = Assert.Throws<SchemaInvalidException>(() => Provider.Parse(schema, []));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":1,"name":"a","tags":["x"]}""", true)]
    [InlineData("""{"id":1.5,"name":"a"}""", false)]
    [InlineData("""{"name":"a"}""", false)]
    [InlineData("""{"id":1,"name":""}""", false)]
    [InlineData("""{"id":1,"name":"a","extra":true}""", false)]
    [InlineData("""{"id":1,"name":"a","tags":["x","x"]}""", false)]
    [InlineData("""{"id":-1,"name":"a"}""", false)]
    [InlineData("""{"id":1,"name":"a","kind":"card"}""", true)]
    [InlineData("""{"id":1,"name":"a","kind":"cheque"}""", false)]
    [InlineData("""{"id":1,"name":"a","next":{"id":2,"name":"b"}}""", true)]
    [InlineData("""{"id":1,"name":"a","next":{"id":"2","name":"b"}}""", false)]
    public void ValidatesDocuments(string document, bool valid)
    {
        var schema = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "$defs": { "kind": { "enum": ["card", "cash"] } },
              "type": "object",
              "properties": {
                "id": { "type": "integer", "minimum": 0 },
                "name": { "type": "string", "minLength": 1 },
                "tags": { "type": "array", "items": { "type": "string" }, "uniqueItems": true },
                "kind": { "$ref": "#/$defs/kind" },
                "next": { "$ref": "#" }
              },
              "required": ["id", "name"],
              "additionalProperties": false
            }
            """;
        var parsed = (JsonSchemaDocument)Provider.Parse(schema, []).Native;
        using var instance = JsonDocument.Parse(document);
        var errors = JsonSchemaValidator.Validate(parsed, instance.RootElement);
        Assert.True(valid == (errors.Count == 0), string.Join("; ", errors));
    }

    [Fact]
    public void Draft4ExclusiveBoundsAndReferencesToOtherSchemas()
    {
        var draft4 = (JsonSchemaDocument)Provider.Parse("""{"$schema":"http://json-schema.org/draft-04/schema#","type":"number","maximum":5,"exclusiveMaximum":true}""", []).Native;
        using (var five = JsonDocument.Parse("5"))
        using (var four = JsonDocument.Parse("4"))
        {
            Assert.NotEmpty(JsonSchemaValidator.Validate(draft4, five.RootElement));
            Assert.Empty(JsonSchemaValidator.Validate(draft4, four.RootElement));
        }
        var customer = new ResolvedReference("customer.json", "customer", 1, "JSON", """{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""");
        var order = (JsonSchemaDocument)Provider.Parse("""{"type":"object","properties":{"customer":{"$ref":"customer.json"}}}""", [customer]).Native;
        using var bad = JsonDocument.Parse("""{"customer":{}}""");
        Assert.Contains(JsonSchemaValidator.Validate(order, bad.RootElement), e => e.Contains("name", StringComparison.Ordinal));
    }

    // The formats the Debian test suite does not cover (uuid, duration) and edge cases of the others.
    [Theory]
    [InlineData("uuid", "2f1c8a52-3b4e-4c8f-9a1d-7e6b5c4d3a21", true)]
    [InlineData("uuid", "2F1C8A52-3B4E-4C8F-9A1D-7E6B5C4D3A21", true)]
    [InlineData("uuid", "2f1c8a523b4e4c8f9a1d7e6b5c4d3a21", false)]
    [InlineData("uuid", "2f1c8a52-3b4e-4c8f-9a1d-7e6b5c4d3a2", false)]
    [InlineData("uuid", "2f1c8a52-3b4e-4c8f-9a1d-7e6b5c4d3a2g", false)]
    [InlineData("duration", "P4DT12H30M5S", true)]
    [InlineData("duration", "P1Y", true)]
    [InlineData("duration", "PT0.5S", false)]
    [InlineData("duration", "P2W", true)]
    [InlineData("duration", "P", false)]
    [InlineData("duration", "PT", false)]
    [InlineData("duration", "P1DT", false)]
    [InlineData("duration", "P1W2D", false)]
    [InlineData("duration", "4DT12H", false)]
    [InlineData("date-time", "1998-12-31T23:59:60Z", true)]
    [InlineData("date-time", "1998-12-31T15:59:60.123-08:00", true)]
    [InlineData("date-time", "1998-12-31T23:58:60Z", false)]
    [InlineData("date", "2020-02-29", true)]
    [InlineData("date", "2021-02-29", false)]
    [InlineData("time", "08:30:06", false)]
    [InlineData("ipv4", "087.10.0.1", false)]
    [InlineData("ipv6", "::ffff:192.168.0.1", true)]
    [InlineData("ipv6", "fe80::1%eth0", false)]
    [InlineData("email", "te~st@example.com", true)]
    [InlineData("email", ".test@example.com", false)]
    [InlineData("email", "te..st@example.com", false)]
    [InlineData("hostname", "a.b-c.example", true)]
    [InlineData("hostname", "a..b", false)]
    [InlineData("uri", "urn:isbn:0451450523", true)]
    [InlineData("uri-reference", "../a?b#c", true)]
    [InlineData("uri-reference", "a b", false)]
    [InlineData("json-pointer", "/a~1b", true)]
    [InlineData("regex", "^[a-z]+$", true)]
    [InlineData("regex", "\\A", false)]
    [InlineData("made-up", "anything", true)]
    public void FormatAssertion(string format, string value, bool valid)
    {
        Assert.Equal(valid, JsonSchemaFormats.IsValid(format, value));
        using var schema = JsonDocument.Parse($$"""{"format":"{{format}}"}""");
        using var instance = JsonDocument.Parse(JsonSerializer.Serialize(value));
        var document = new JsonSchemaDocument(schema.RootElement);
        Assert.Equal(valid, JsonSchemaValidator.IsValid(document, instance.RootElement, new JsonSchemaValidationOptions { AssertFormat = true }));
        Assert.True(JsonSchemaValidator.IsValid(document, instance.RootElement));
    }

    [Theory]
    [InlineData("^abc$", "abc\n", false)]
    [InlineData("^\\d+$", "\u0661\u0662", false)]
    [InlineData("^\\w+$", "\u00e9", false)]
    [InlineData("[]", "a", false)]
    [InlineData("^[^]$", "\n", true)]
    [InlineData("b", "abc", true)]
    public void PatternsAreEcmaScriptRegexes(string pattern, string value, bool valid)
    {
        using var schema = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["pattern"] = pattern }));
        using var instance = JsonDocument.Parse(JsonSerializer.Serialize(value));
        Assert.Equal(valid, JsonSchemaValidator.IsValid(new JsonSchemaDocument(schema.RootElement), instance.RootElement));
    }
}
