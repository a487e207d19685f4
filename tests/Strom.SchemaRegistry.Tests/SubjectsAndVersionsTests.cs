using System.Net;
using System.Text.Json.Nodes;

namespace Strom.SchemaRegistry.Tests;

public sealed class SubjectsAndVersionsTests : IAsyncLifetime
{
    private const string UserV1 = """{"type":"record","name":"User","namespace":"t","fields":[{"name":"name","type":"string"}]}""";
    private const string UserV2 = """{"type":"record","name":"User","namespace":"t","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}""";
    private const string UserBreaking = """{"type":"record","name":"User","namespace":"t","fields":[{"name":"name","type":"string"},{"name":"email","type":"string"}]}""";

    private RegistryServer _server = null!;

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RegisterThenReadBackEveryWay()
    {
        var id = await _server.RegisterAsync("users-value", UserV1);
        Assert.Equal(1, id);
        Assert.Equal("[\"users-value\"]", (await _server.GetAsync("/subjects")).Body!.ToJsonString());
        Assert.Equal("[1]", (await _server.GetAsync("/subjects/users-value/versions")).Body!.ToJsonString());
        foreach (var version in new[] { "1", "latest", "-1" })
        {
            var (status, body) = await _server.GetAsync($"/subjects/users-value/versions/{version}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("users-value", body!["subject"]!.GetValue<string>());
            Assert.Equal(1, body["version"]!.GetValue<int>());
            Assert.Equal(1, body["id"]!.GetValue<int>());
            Assert.Equal(UserV1, body["schema"]!.GetValue<string>());
            Assert.Null(body["schemaType"]);
        }
        Assert.Equal(UserV1, (await _server.GetAsync("/schemas/ids/1")).Body!["schema"]!.GetValue<string>());
        Assert.Equal("User", (await _server.GetAsync("/schemas/ids/1/schema")).Body!["name"]!.GetValue<string>());
        Assert.Equal("t", (await _server.GetAsync("/subjects/users-value/versions/1/schema")).Body!["namespace"]!.GetValue<string>());
        Assert.Equal("[\"users-value\"]", (await _server.GetAsync("/schemas/ids/1/subjects")).Body!.ToJsonString());
        Assert.Equal("[{\"subject\":\"users-value\",\"version\":1}]", (await _server.GetAsync("/schemas/ids/1/versions")).Body!.ToJsonString());
        var all = (await _server.GetAsync("/schemas")).Body!.AsArray();
        Assert.Single(all);
    }

    [Fact]
    public async Task SameSchemaKeepsItsIdAcrossWhitespaceAndSubjects()
    {
        var first = await _server.RegisterAsync("a", UserV1);
        var again = await _server.RegisterAsync("a", UserV1.Replace(",", " ,\n ", StringComparison.Ordinal));
        Assert.Equal(first, again);
        Assert.Equal("[1]", (await _server.GetAsync("/subjects/a/versions")).Body!.ToJsonString());
        Assert.Equal(first, await _server.RegisterAsync("b", UserV1));
        var other = await _server.RegisterAsync("a", UserV2);
        Assert.Equal(first + 1, other);
        Assert.Equal("[1,2]", (await _server.GetAsync("/subjects/a/versions")).Body!.ToJsonString());
        Assert.Equal("[\"a\",\"b\"]", (await _server.GetAsync("/schemas/ids/1/subjects")).Body!.ToJsonString());
        Assert.Single((await _server.GetAsync("/schemas?latestOnly=true&subjectPrefix=a")).Body!.AsArray());
    }

    [Fact]
    public async Task LookupFindsTheVersion()
    {
        await _server.RegisterAsync("s", UserV1);
        await _server.RegisterAsync("s", UserV2);
        var (status, body) = await _server.PostAsync("/subjects/s", new { schema = UserV1 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body!["version"]!.GetValue<int>());
        RegistryServer.AssertError(await _server.PostAsync("/subjects/s", new { schema = UserBreaking }), 40403);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/nope", new { schema = UserV1 }), 40401);
    }

    [Fact]
    public async Task IncompatibleSchemaIsRefusedWith409AndTheReason()
    {
        await _server.RegisterAsync("s", UserV1);
        var response = await _server.PostAsync("/subjects/s/versions", new { schema = UserBreaking });
        RegistryServer.AssertError(response, 409);
        Assert.Contains("READER_FIELD_MISSING_DEFAULT_VALUE", response.Body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("[1]", (await _server.GetAsync("/subjects/s/versions")).Body!.ToJsonString());
    }

    [Fact]
    public async Task NotFoundAndInvalidVersionErrors()
    {
        RegistryServer.AssertError(await _server.GetAsync("/subjects/missing/versions"), 40401);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/missing/versions/1"), 40401);
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/missing"), 40401);
        await _server.RegisterAsync("s", UserV1);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions/7"), 40402);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions/abc"), 42202);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions/0"), 42202);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions/-2"), 42202);
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/99"), 40403);
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/99/versions"), 40403);
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/1?subject=other"), 40403);
        RegistryServer.AssertError(await _server.GetAsync("/no/such/path"), 404);
    }

    /// <summary>The id lookup answered before routing gives the routed endpoint's bytes; what it does not take falls through.</summary>
    [Fact]
    public async Task IdLookupFastPathMatchesTheRoutedAnswer()
    {
        var id = await _server.RegisterAsync("users-value", UserV1);
        using var fast = await _server.Client.GetAsync($"/schemas/ids/{id}");
        using var routed = await _server.Client.GetAsync($"/schemas/ids/{id}?subject=users-value");
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
        Assert.Equal(await routed.Content.ReadAsStringAsync(), await fast.Content.ReadAsStringAsync());
        Assert.Equal(routed.Content.Headers.ContentType?.MediaType, fast.Content.Headers.ContentType?.MediaType);
        Assert.Equal(UserV1, (await _server.GetAsync($"/schemas/ids/00{id}")).Body!["schema"]!.GetValue<string>());
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/-1"), 40403);
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/99999999999"), 404);
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/1x"), 404);
    }

    [Theory]
    [InlineData("""{"schema":"{\"type\":\"record\",\"name\":\"R\"}"}""", 42201)]
    [InlineData("""{"schema":"\"nosuchtype\""}""", 42201)]
    [InlineData("""{"schema":"not json"}""", 42201)]
    [InlineData("""{"schema":""}""", 42201)]
    [InlineData("""{"schema":"\"int\"","schemaType":"XML"}""", 42201)]
    [InlineData("""{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}"}""", 42201)]
    [InlineData("""{"schema":"{\"type\":\"int\"}","references":[{"name":"x","subject":"nope","version":1}]}""", 42201)]
    [InlineData("""{"schema":"\"int\"","schemaType":"PROTOBUF"}""", 42201)]
    [InlineData("""{"schema":"[1,2]","schemaType":"JSON"}""", 42201)]
    [InlineData("""{"schema":"{\"type\":\"nothing\"}","schemaType":"JSON"}""", 42201)]
    [InlineData("""{"schema": 12}""", 400)]
    [InlineData("""{"schema":""", 400)]
    [InlineData("""not json at all""", 400)]
    [InlineData("""{}""", 42201)]
    public async Task BadRegistrationsGetConfluentErrors(string body, int errorCode)
    {
        await _server.RegisterAsync("keep", UserV1);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/s/versions", body), errorCode);
        Assert.Equal("[\"keep\"]", (await _server.GetAsync("/subjects")).Body!.ToJsonString());
    }

    [Fact]
    public async Task TenMegabyteSchemaIsRefusedAndNothingIsLost()
    {
        await _server.RegisterAsync("keep", UserV1);
        var fields = string.Join(",", Enumerable.Range(0, 200_000).Select(i => $$"""{"name":"f{{i}}","type":"string"}"""));
        var huge = $$"""{"type":"record","name":"Huge","fields":[{{fields}}]}""";
        Assert.True(huge.Length > 6_000_000);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/huge/versions", new { schema = huge }), 42209);
        Assert.Equal("[\"keep\"]", (await _server.GetAsync("/subjects")).Body!.ToJsonString());
        Assert.Equal(UserV1, (await _server.GetAsync("/schemas/ids/1")).Body!["schema"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProtobufAndJsonSchemasAreStoredWithTheirType()
    {
        var proto = """
            syntax = "proto3";
            package demo;
            import "google/protobuf/timestamp.proto";
            message Order {
              string id = 1;
              repeated Line lines = 2;
              map<string, int64> tags = 3;
              oneof payment { string card = 4; string cash = 5; }
              google.protobuf.Timestamp at = 6 [deprecated = true];
              message Line { string sku = 1; int32 qty = 2; }
            }
            enum Status { UNKNOWN = 0; DONE = 1; }
            """;
        var protoId = await _server.RegisterAsync("orders-value", proto, "PROTOBUF");
        var json = """{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}""";
        var jsonId = await _server.RegisterAsync("json-value", json, "JSON");
        Assert.NotEqual(protoId, jsonId);
        Assert.Equal("PROTOBUF", (await _server.GetAsync($"/schemas/ids/{protoId}")).Body!["schemaType"]!.GetValue<string>());
        Assert.Equal("JSON", (await _server.GetAsync("/subjects/json-value/versions/latest")).Body!["schemaType"]!.GetValue<string>());
        Assert.Equal("[\"AVRO\",\"JSON\",\"PROTOBUF\"]", (await _server.GetAsync("/schemas/types")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.PostAsync("/subjects/p/versions", new { schema = "message A { string a = 1; string b = 1; }", schemaType = "PROTOBUF" }), 42201);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/p/versions", new { schema = "message A { string a = 1; ", schemaType = "PROTOBUF" }), 42201);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/p/versions", new { schema = "syntax = \"proto3\"; import \"other.proto\";", schemaType = "PROTOBUF" }), 42201);
    }

    [Fact]
    public async Task NormalizeMatchesCosmeticVariants()
    {
        var a = """{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"fixed","name":"F","size":2}},{"name":"y","type":"F"}],"b":1,"a":2}""";
        var b = """{"type":"record","name":"R","namespace":"n","fields":[{"name":"x","type":{"type":"fixed","name":"F","size":2}},{"name":"y","type":"n.F"}],"a":2,"b":1}""";
        var (_, first) = await _server.PostAsync("/subjects/s/versions?normalize=true", new { schema = a });
        var (_, second) = await _server.PostAsync("/subjects/s/versions?normalize=true", new { schema = b });
        Assert.Equal(first!["id"]!.GetValue<int>(), second!["id"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync("/subjects/s?normalize=true", new { schema = b })).Status);
    }

    [Fact]
    public async Task RootAndHealthAnswer()
    {
        Assert.Equal("{}", (await _server.GetAsync("/")).Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync("/health")).Status);
    }

    internal static JsonNode Schema(string json) => JsonNode.Parse(json)!;
}
