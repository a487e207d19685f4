using System.Net;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// Transitive levels check a new schema against every live version, the others against the latest
/// only: each sequence below has a third version compatible with the second but not the first.
/// And references that cannot form a graph (a subject's own version, a self-import, a $ref cycle) are refused.
/// </summary>
public sealed class TransitiveAndCycleTests : IAsyncLifetime
{
    private RegistryServer _server = null!;

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Record(params string[] fields) =>
        $$"""{"type":"record","name":"R","fields":[{{string.Join(",", fields)}}]}""";

    private const string A = """{"name":"a","type":"int"}""";
    private const string ADefault = """{"name":"a","type":"int","default":0}""";
    private const string B = """{"name":"b","type":"string"}""";
    private const string BDefault = """{"name":"b","type":"string","default":"x"}""";

    public static TheoryData<string, string, string, string> Sequences => new()
    {
        // v3 drops b's default: it reads v2's data (b present) but not v1's (no b, no default).
        { "BACKWARD", Record(A), Record(A, BDefault), Record(A, B) },
        // v3 drops b: v2 reads it with b's default, v1 has no default for b.
        { "FORWARD", Record(A, B), Record(A, BDefault), Record(A) },
        // v3 drops a: v2 reads it with a's default, v1 has no default for a.
        { "FULL", Record(A), Record(ADefault), Record() },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public async Task ThirdVersionPassesTheLevelAndFailsItsTransitiveForm(string level, string v1, string v2, string v3)
    {
        foreach (var (subject, transitive) in new[] { ("plain", false), ("transitive", true) })
        {
            var configured = transitive ? level + "_TRANSITIVE" : level;
            Assert.Equal(HttpStatusCode.OK, (await _server.PutAsync($"/config/{subject}", new { compatibility = configured })).Status);
            await _server.RegisterAsync(subject, v1);
            await _server.RegisterAsync(subject, v2);
            var check = await _server.PostAsync($"/compatibility/subjects/{subject}/versions?verbose=true", new { schema = v3 });
            Assert.Equal(HttpStatusCode.OK, check.Status);
            Assert.Equal(!transitive, check.Body!["is_compatible"]!.GetValue<bool>());
            var latestOnly = await _server.PostAsync($"/compatibility/subjects/{subject}/versions/latest", new { schema = v3 });
            Assert.True(latestOnly.Body!["is_compatible"]!.GetValue<bool>(), latestOnly.Body.ToJsonString());
            var register = await _server.PostAsync($"/subjects/{subject}/versions", new { schema = v3 });
            if (transitive)
            {
                RegistryServer.AssertError(register, 409);
                Assert.Equal("[1,2]", (await _server.GetAsync($"/subjects/{subject}/versions")).Body!.ToJsonString());
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, register.Status);
                Assert.Equal("[1,2,3]", (await _server.GetAsync($"/subjects/{subject}/versions")).Body!.ToJsonString());
            }
            await _server.DeleteAsync($"/subjects/{subject}");
            await _server.DeleteAsync($"/subjects/{subject}?permanent=true");
        }
    }

    [Fact]
    public async Task SoftDeletedVersionsAreLeftOutOfTransitiveChecks()
    {
        await _server.PutAsync("/config/s", new { compatibility = "BACKWARD_TRANSITIVE" });
        await _server.RegisterAsync("s", Record(A));
        await _server.RegisterAsync("s", Record(A, BDefault));
        RegistryServer.AssertError(await _server.PostAsync("/subjects/s/versions", new { schema = Record(A, B) }), 409);
        Assert.Equal(HttpStatusCode.OK, (await _server.DeleteAsync("/subjects/s/versions/1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.PostAsync("/subjects/s/versions", new { schema = Record(A, B) })).Status);
    }

    [Fact]
    public async Task ReferencesToThemselvesOrToNothingAreRefused()
    {
        var keep = await _server.RegisterAsync("keep", Record(A));
        // A subject naming its own first version before it exists.
        RegistryServer.AssertError(await _server.PostAsync("/subjects/self/versions", new
        {
            schema = """{"type":"record","name":"S","fields":[{"name":"r","type":"R"}]}""",
            references = new[] { new { name = "R", subject = "self", version = 1 } },
        }), 42201);
        // A .proto importing itself.
        RegistryServer.AssertError(await _server.PostAsync("/subjects/loop.proto/versions", new
        {
            schema = "syntax = \"proto3\";\nimport \"loop.proto\";\nmessage L { string x = 1; }\n",
            schemaType = "PROTOBUF",
            references = new[] { new { name = "loop.proto", subject = "loop.proto", version = 1 } },
        }), 42201);
        // A JSON Schema whose references only point at each other never reaches a schema.
        var cycle = await _server.PostAsync("/subjects/cycle/versions", new
        {
            schema = """{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}}""",
            schemaType = "JSON",
        });
        RegistryServer.AssertError(cycle, 42201);
        Assert.Contains("cycle", cycle.Body!["message"]!.GetValue<string>());
        RegistryServer.AssertError(await _server.PostAsync("/subjects/cycle/versions", new
        {
            schema = """{"$defs":{"a":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/a"}]}},"properties":{"x":{"$ref":"#/$defs/a"}}}""",
            schemaType = "JSON",
        }), 42201);
        // Recursion through a property moves into the instance at each step: a linked list is fine.
        var list = await _server.RegisterAsync("list", """{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#"}}}""", "JSON");
        Assert.Equal("[\"keep\",\"list\"]", (await _server.GetAsync("/subjects")).Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync($"/schemas/ids/{keep}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync($"/schemas/ids/{list}")).Status);
    }
}
