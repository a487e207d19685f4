using System.Text.Json;
using System.Text.Json.Nodes;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry.Tests;

public class DurabilityTests
{
    [Fact]
    public async Task RestartReplaysSubjectsVersionsIdsConfigAndModes()
    {
        await using var server = await RegistryServer.StartAsync();
        await server.RegisterAsync("a", "\"string\"");
        await server.RegisterAsync("b", """{"type":"record","name":"R","fields":[]}""");
        await server.RegisterAsync("b", """{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":1}]}""");
        await server.RegisterAsync("gone", "\"long\"");
        await server.DeleteAsync("/subjects/gone");
        await server.DeleteAsync("/subjects/gone?permanent=true");
        await server.PutAsync("/config/b", new { compatibility = "FULL" });
        await server.PutAsync("/mode/a", new { mode = "READONLY" });
        await server.DeleteAsync("/subjects/b/versions/1");
        var before = await Snapshot(server);

        await server.RestartAsync();

        Assert.Equal(before, await Snapshot(server));
        Assert.Equal("FULL", (await server.GetAsync("/config/b")).Body!["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal("READONLY", (await server.GetAsync("/mode/a")).Body!["mode"]!.GetValue<string>());
        // The permanently deleted id 4 is not handed out again.
        Assert.Equal(5, await server.RegisterAsync("c", "\"double\""));
    }

    private static async Task<string> Snapshot(RegistryServer server)
    {
        var all = (await server.GetAsync("/schemas?deleted=true")).Body!.ToJsonString();
        var subjects = (await server.GetAsync("/subjects?deleted=true")).Body!.ToJsonString();
        var live = (await server.GetAsync("/subjects/b/versions")).Body!.ToJsonString();
        return all + subjects + live;
    }

    [Fact]
    public void RecordsUseConfluentKeyAndValueFormats()
    {
        var record = SchemaLogRecord.Create(SchemaRecordKey.ForSchema("s", 2),
            new SchemaRecordValue { Subject = "s", Version = 2, Id = 7, Schema = "\"int\"" });
        Assert.Equal("""{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}""", record.Key);
        Assert.Equal("""{"subject":"s","version":2,"id":7,"references":[],"schema":"\u0022int\u0022","deleted":false}""", record.Value);
        Assert.Equal("""{"keytype":"CONFIG","subject":null,"magic":0}""", SchemaLogRecord.Create(SchemaRecordKey.ForConfig(null), null).Key);
        Assert.Equal("""{"compatibilityLevel":"FULL"}""", SchemaLogRecord.Create(SchemaRecordKey.ForConfig("s"), new ConfigRecordValue { CompatibilityLevel = "FULL" }).Value);
        Assert.Equal("""{"mode":"IMPORT"}""", SchemaLogRecord.Create(SchemaRecordKey.ForMode("s"), new ModeRecordValue { Mode = "IMPORT" }).Value);
        Assert.Equal("""{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}""", SchemaLogRecord.Create(SchemaRecordKey.ForDeleteSubject("s"), null).Key);
    }

    [Fact]
    public async Task ReplaysATopicWrittenByConfluent()
    {
        // Records as Confluent's registry writes them, including a NOOP, a protobuf schema, a soft
        // delete, a global config and a record this registry does not understand.
        var store = new InMemorySchemaStore();
        foreach (var (key, value) in new (string, string?)[]
        {
            ("""{"keytype":"NOOP","magic":0}""", null),
            ("""{"keytype":"SCHEMA","subject":"t-value","version":1,"magic":1}""", """{"subject":"t-value","version":1,"id":10,"schema":"\"string\"","deleted":false}"""),
            ("""{"keytype":"SCHEMA","subject":"p-value","version":1,"magic":1}""", """{"subject":"p-value","version":1,"id":11,"schemaType":"PROTOBUF","references":[],"schema":"syntax = \"proto3\";\nmessage M { string a = 1; }","deleted":false}"""),
            ("""{"keytype":"SCHEMA","subject":"t-value","version":2,"magic":1}""", """{"subject":"t-value","version":2,"id":12,"schema":"\"bytes\"","deleted":false}"""),
            ("""{"keytype":"SCHEMA","subject":"t-value","version":2,"magic":1}""", """{"subject":"t-value","version":2,"id":12,"schema":"\"bytes\"","deleted":true}"""),
            ("""{"keytype":"CONFIG","subject":null,"magic":0}""", """{"compatibilityLevel":"FORWARD"}"""),
            ("""{"keytype":"SOMETHING_NEW","magic":0}""", """{"x":1}"""),
            ("not json", "{}"),
        })
        {
            await store.AppendAsync(new SchemaLogRecord(key, value), default);
        }
        await using var server = await RegistryServer.StartAsync(store);
        Assert.Equal("[\"p-value\",\"t-value\"]", (await server.GetAsync("/subjects")).Body!.ToJsonString());
        Assert.Equal("[1]", (await server.GetAsync("/subjects/t-value/versions")).Body!.ToJsonString());
        Assert.Equal("PROTOBUF", (await server.GetAsync("/schemas/ids/11")).Body!["schemaType"]!.GetValue<string>());
        Assert.Equal("FORWARD", (await server.GetAsync("/config")).Body!["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal(13, await server.RegisterAsync("new", "\"int\""));
        var appended = JsonNode.Parse(store.Records[^1].Value!)!;
        Assert.Equal(13, appended["id"]!.GetValue<int>());
    }

    /// <summary>
    /// Schemas stored in a form this registry would no longer write (a .proto kept as typed, a JSON
    /// Schema the meta-schema check now refuses) still read back: the same .proto registered again
    /// is the same version and id, and a new version is checked against the old JSON Schema.
    /// </summary>
    [Fact]
    public async Task SchemasStoredInAnOlderFormStillMatchAndStillCompare()
    {
        var store = new InMemorySchemaStore();
        const string Proto = "syntax = \"proto3\";\n// as typed\nmessage M { string a = 1; }";
        foreach (var (key, value) in new (string, string)[]
        {
            ("""{"keytype":"SCHEMA","subject":"p-value","version":1,"magic":1}""",
                JsonSerializer.Serialize(new { subject = "p-value", version = 1, id = 1, schemaType = "PROTOBUF", schema = Proto, deleted = false })),
            ("""{"keytype":"SCHEMA","subject":"j-value","version":1,"magic":1}""",
                """{"subject":"j-value","version":1,"id":2,"schemaType":"JSON","schema":"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"minimum\":\"x\"}","deleted":false}"""),
        })
        {
            await store.AppendAsync(new SchemaLogRecord(key, value), default);
        }
        await using var server = await RegistryServer.StartAsync(store);
        Assert.Equal(1, await server.RegisterAsync("p-value", Proto, "PROTOBUF"));
        Assert.Equal("[1]", (await server.GetAsync("/subjects/p-value/versions")).Body!.ToJsonString());
        Assert.Equal(1, (await server.PostAsync("/subjects/p-value", new { schema = Proto, schemaType = "PROTOBUF" })).Body!["version"]!.GetValue<int>());
        Assert.Equal(2, store.Records.Count);

        var titled = """{"title":"J","type":"object","properties":{"a":{"type":"string"}}}""";
        Assert.Equal(3, await server.RegisterAsync("j-value", titled, "JSON"));
        var narrowed = """{"type":"object","properties":{"a":{"type":"integer"}}}""";
        await server.PutAsync("/config/j-value", new { compatibility = "BACKWARD_TRANSITIVE" });
        RegistryServer.AssertError(await server.PostAsync("/subjects/j-value/versions", new { schema = narrowed, schemaType = "JSON" }), 409);
    }
}
