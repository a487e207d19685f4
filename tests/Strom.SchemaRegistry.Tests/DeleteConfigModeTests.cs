using System.Net;

namespace Strom.SchemaRegistry.Tests;

public sealed class DeleteConfigModeTests : IAsyncLifetime
{
    private const string V1 = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""";
    private const string V2 = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}""";
    private const string Breaking = """{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""";

    private RegistryServer _server = null!;

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SubjectSoftThenPermanentDelete()
    {
        await _server.RegisterAsync("s", V1);
        await _server.RegisterAsync("s", V2);
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/s?permanent=true"), 40405);
        Assert.Equal("[1,2]", (await _server.DeleteAsync("/subjects/s")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/s"), 40404);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions"), 40401);
        Assert.Equal("[]", (await _server.GetAsync("/subjects")).Body!.ToJsonString());
        Assert.Equal("[\"s\"]", (await _server.GetAsync("/subjects?deleted=true")).Body!.ToJsonString());
        Assert.Equal("[1,2]", (await _server.GetAsync("/subjects/s/versions?deleted=true")).Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync("/subjects/s/versions/1?deleted=true")).Status);
        // Soft-deleted schemas stay readable by id: consumers still hold data written with them.
        Assert.Equal(HttpStatusCode.OK, (await _server.GetAsync("/schemas/ids/1")).Status);
        Assert.Equal("[1,2]", (await _server.DeleteAsync("/subjects/s?permanent=true")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.GetAsync("/schemas/ids/1"), 40403);
        Assert.Equal("[]", (await _server.GetAsync("/subjects?deleted=true")).Body!.ToJsonString());
        // Ids are never handed out again.
        Assert.Equal(3, await _server.RegisterAsync("s", Breaking));
        Assert.Equal("[1]", (await _server.GetAsync("/subjects/s/versions")).Body!.ToJsonString());
    }

    [Fact]
    public async Task VersionSoftThenPermanentDelete()
    {
        await _server.RegisterAsync("s", V1);
        await _server.RegisterAsync("s", V2);
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/s/versions/1?permanent=true"), 40407);
        Assert.Equal("1", (await _server.DeleteAsync("/subjects/s/versions/1")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/s/versions/1"), 40406);
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions/1"), 40402);
        Assert.Equal("[2]", (await _server.GetAsync("/subjects/s/versions")).Body!.ToJsonString());
        Assert.Equal("1", (await _server.DeleteAsync("/subjects/s/versions/1?permanent=true")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.GetAsync("/subjects/s/versions/1?deleted=true"), 40402);
        Assert.Equal("2", (await _server.DeleteAsync("/subjects/s/versions/latest")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/s/versions/x"), 42202);
        // A new version after deletes continues the numbering.
        await _server.RegisterAsync("s", Breaking);
        Assert.Equal(3, (await _server.GetAsync("/subjects/s/versions/latest")).Body!["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task CompatibilityConfigGlobalAndPerSubject()
    {
        Assert.Equal("BACKWARD", (await _server.GetAsync("/config")).Body!["compatibilityLevel"]!.GetValue<string>());
        await _server.RegisterAsync("s", V1);
        RegistryServer.AssertError(await _server.GetAsync("/config/s"), 40408);
        Assert.Equal("BACKWARD", (await _server.GetAsync("/config/s?defaultToGlobal=true")).Body!["compatibilityLevel"]!.GetValue<string>());
        RegistryServer.AssertError(await _server.PutAsync("/config/s", new { compatibility = "SIDEWAYS" }), 42203);
        RegistryServer.AssertError(await _server.PutAsync("/config", new { compatibility = (string?)null }), 42203);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/s/versions", new { schema = Breaking }), 409);
        Assert.Equal("NONE", (await _server.PutAsync("/config/s", new { compatibility = "none" })).Body!["compatibility"]!.GetValue<string>());
        Assert.Equal("NONE", (await _server.GetAsync("/config/s")).Body!["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal(2, await _server.RegisterAsync("s", Breaking));
        Assert.Equal("NONE", (await _server.DeleteAsync("/config/s")).Body!["compatibilityLevel"]!.GetValue<string>());
        RegistryServer.AssertError(await _server.GetAsync("/config/s"), 40408);
        RegistryServer.AssertError(await _server.DeleteAsync("/config/unknown"), 40401);
        Assert.Equal("FULL_TRANSITIVE", (await _server.PutAsync("/config", new { compatibility = "FULL_TRANSITIVE" })).Body!["compatibility"]!.GetValue<string>());
        Assert.Equal("FULL_TRANSITIVE", (await _server.GetAsync("/config")).Body!["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal("FULL_TRANSITIVE", (await _server.DeleteAsync("/config")).Body!["compatibilityLevel"]!.GetValue<string>());
        Assert.Equal("BACKWARD", (await _server.GetAsync("/config")).Body!["compatibilityLevel"]!.GetValue<string>());
    }

    [Fact]
    public async Task ModesGuardWritesAndImportTakesIds()
    {
        await _server.RegisterAsync("s", V1);
        RegistryServer.AssertError(await _server.PutAsync("/mode", new { mode = "SOMETIMES" }), 42204);
        RegistryServer.AssertError(await _server.GetAsync("/mode/s"), 40409);
        Assert.Equal("READONLY", (await _server.PutAsync("/mode/s", new { mode = "READONLY" })).Body!["mode"]!.GetValue<string>());
        Assert.Equal("READONLY", (await _server.GetAsync("/mode/s")).Body!["mode"]!.GetValue<string>());
        Assert.Equal("READWRITE", (await _server.GetAsync("/mode")).Body!["mode"]!.GetValue<string>());
        RegistryServer.AssertError(await _server.PostAsync("/subjects/s/versions", new { schema = V2 }), 42205);
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/s"), 42205);
        Assert.Equal("READONLY", (await _server.DeleteAsync("/mode/s")).Body!["mode"]!.GetValue<string>());
        Assert.Equal(2, await _server.RegisterAsync("s", V2));

        RegistryServer.AssertError(await _server.PutAsync("/mode", new { mode = "IMPORT" }), 42205);
        Assert.Equal("IMPORT", (await _server.PutAsync("/mode?force=true", new { mode = "IMPORT" })).Body!["mode"]!.GetValue<string>());
        var (status, body) = await _server.PostAsync("/subjects/imported/versions", new { schema = Breaking, id = 100, version = 5 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(100, body!["id"]!.GetValue<int>());
        Assert.Equal(5, (await _server.GetAsync("/subjects/imported/versions/latest")).Body!["version"]!.GetValue<int>());
        RegistryServer.AssertError(await _server.PostAsync("/subjects/other/versions", new { schema = V1, id = 100 }), 42207);
        await _server.PutAsync("/mode", new { mode = "READWRITE" });
        RegistryServer.AssertError(await _server.PostAsync("/subjects/s/versions", new { schema = V2, version = 9 }), 42205);
        Assert.Equal(101, await _server.RegisterAsync("fresh", """{"type":"enum","name":"E","symbols":["A"]}"""));
    }

    [Fact]
    public async Task CompatibilityEndpointReportsWithoutRegistering()
    {
        await _server.RegisterAsync("s", V1);
        var (status, ok) = await _server.PostAsync("/compatibility/subjects/s/versions/latest", new { schema = V2 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(ok!["is_compatible"]!.GetValue<bool>());
        Assert.Null(ok["messages"]);
        var (_, bad) = await _server.PostAsync("/compatibility/subjects/s/versions/1?verbose=true", new { schema = Breaking });
        Assert.False(bad!["is_compatible"]!.GetValue<bool>());
        var messages = bad["messages"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.Contains(messages, m => m.Contains("TYPE_MISMATCH", StringComparison.Ordinal));
        Assert.Contains("{oldSchemaVersion: 1}", messages);
        var (_, all) = await _server.PostAsync("/compatibility/subjects/s/versions?verbose=true", new { schema = V2 });
        Assert.True(all!["is_compatible"]!.GetValue<bool>());
        Assert.Empty(all["messages"]!.AsArray());
        Assert.True((await _server.PostAsync("/compatibility/subjects/new/versions/latest", new { schema = V1 })).Body!["is_compatible"]!.GetValue<bool>());
        RegistryServer.AssertError(await _server.PostAsync("/compatibility/subjects/new/versions/3", new { schema = V1 }), 40401);
        RegistryServer.AssertError(await _server.PostAsync("/compatibility/subjects/s/versions/3", new { schema = V1 }), 40402);
        RegistryServer.AssertError(await _server.PostAsync("/compatibility/subjects/s/versions/zero", new { schema = V1 }), 42202);
        RegistryServer.AssertError(await _server.PostAsync("/compatibility/subjects/s/versions/latest", new { schema = "{" }), 42201);
        Assert.Equal("[1]", (await _server.GetAsync("/subjects/s/versions")).Body!.ToJsonString());
    }

    [Fact]
    public async Task ReferencesResolveAndProtectTheirTargets()
    {
        var address = """{"type":"record","name":"Address","namespace":"shop","fields":[{"name":"street","type":"string"}]}""";
        var customer = """{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"home","type":"Address"}]}""";
        var addressId = await _server.RegisterAsync("address", address);
        RegistryServer.AssertError(await _server.PostAsync("/subjects/customer/versions", new { schema = customer }), 42201);
        var customerId = await _server.RegisterAsync("customer", customer, references: new[] { new { name = "shop.Address", subject = "address", version = 1 } });
        Assert.NotEqual(addressId, customerId);
        var (_, byId) = await _server.GetAsync($"/schemas/ids/{customerId}");
        Assert.Equal("address", byId!["references"]![0]!["subject"]!.GetValue<string>());
        Assert.Equal($"[{customerId}]", (await _server.GetAsync("/subjects/address/versions/1/referencedby")).Body!.ToJsonString());
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/address/versions/1"), 42206);
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/address"), 42206);
        // A schema that only references is looked up with its references.
        var (status, found) = await _server.PostAsync("/subjects/customer", new { schema = customer, references = new[] { new { name = "shop.Address", subject = "address", version = 1 } } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(customerId, found!["id"]!.GetValue<int>());
        // Once the referrer is soft-deleted the target may be soft-deleted too, but not removed for good.
        Assert.Equal(HttpStatusCode.OK, (await _server.DeleteAsync("/subjects/customer")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.DeleteAsync("/subjects/address/versions/1")).Status);
        RegistryServer.AssertError(await _server.DeleteAsync("/subjects/address/versions/1?permanent=true"), 42206);
        Assert.Equal(HttpStatusCode.OK, (await _server.DeleteAsync("/subjects/customer?permanent=true")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.DeleteAsync("/subjects/address/versions/1?permanent=true")).Status);
    }
}
