using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Strom.Client;
using Strom.Client.Admin;
using Strom.Protocol;
using Strom.SchemaRegistry.Storage;
using Strom.Testing;

namespace Strom.SchemaRegistry.Tests;

/// <summary>The _schemas topic store against a real in-process broker, and the registry served by the Strom host.</summary>
public sealed class KafkaStoreTests
{
    [Fact]
    public async Task StoreCreatesACompactedSinglePartitionTopicAndReplaysWhatItAppended()
    {
        await using var broker = await StromBroker.StartAsync();
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers };
        var first = new KafkaSchemaStore(config);
        await using (first)
        {
            await first.ReplayAsync(_ => Assert.Fail("a new topic has no records"), default);
            await first.AppendAsync(SchemaLogRecord.Create(SchemaRecordKey.ForConfig(null), new ConfigRecordValue { CompatibilityLevel = "FULL" }), default);
            await first.AppendAsync(SchemaLogRecord.Create(SchemaRecordKey.ForSchema("s", 1), new SchemaRecordValue { Subject = "s", Version = 1, Id = 1, Schema = "\"int\"" }), default);
            await first.AppendAsync(SchemaLogRecord.Create(SchemaRecordKey.ForSchema("s", 1), null), default);
        }

        await using var admin = new KafkaAdminClient(config);
        var topic = (await admin.DescribeTopicsAsync(["_schemas"]))[0];
        Assert.Single(topic.Partitions);
        var configs = await admin.DescribeConfigsAsync(ConfigResource.Topic("_schemas"));
        Assert.Equal("compact", configs.Single(c => c.Name == "cleanup.policy").Value);

        var replayed = new List<SchemaLogRecord>();
        await using var second = new KafkaSchemaStore(config);
        await second.ReplayAsync(replayed.Add, default);
        Assert.Equal(3, replayed.Count);
        Assert.Equal("""{"keytype":"CONFIG","subject":null,"magic":0}""", replayed[0].Key);
        Assert.Equal("""{"compatibilityLevel":"FULL"}""", replayed[0].Value);
        Assert.Equal("""{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}""", replayed[2].Key);
        Assert.Null(replayed[2].Value);
    }

    [Fact]
    public async Task StoreRefusesATopicThatIsNotCompacted()
    {
        await using var broker = await StromBroker.StartAsync();
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers };
        await using (var admin = new KafkaAdminClient(config))
        {
            await admin.CreateTopicsAsync([new NewTopic("_schemas", 1, 1)]);
        }
        await using var store = new KafkaSchemaStore(config);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReplayAsync(_ => { }, default));
        Assert.Contains("cleanup.policy=delete", error.Message);
    }

    [Fact]
    public async Task StoreGivesAClearErrorWhenKafkaDoesNotAnswer()
    {
        await using var store = new KafkaSchemaStore(new Dictionary<string, string> { ["bootstrap.servers"] = "127.0.0.1:1", ["request.timeout.ms"] = "500" })
        {
            StartTimeout = TimeSpan.FromSeconds(2),
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.ReplayAsync(_ => { }, default));
        Assert.True(error is InvalidOperationException or KafkaException, error.ToString());
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreUsesTheConfiguredTopic()
    {
        await using var broker = await StromBroker.StartAsync();
        var config = new Dictionary<string, string> { ["bootstrap.servers"] = broker.BootstrapServers };
        await using var store = new KafkaSchemaStore(config, "_registry_state");
        await store.ReplayAsync(_ => { }, default);
        await store.AppendAsync(SchemaLogRecord.Create(SchemaRecordKey.ForMode(null), new ModeRecordValue { Mode = "READWRITE" }), default);
        await using var admin = new KafkaAdminClient(config);
        Assert.Contains(await admin.ListTopicsAsync(includeInternal: true), t => t.Name == "_registry_state");
        var missing = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeTopicsAsync(["_schemas"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, missing.ErrorCode);
    }

    [Fact]
    public async Task ServerRestartKeepsSubjectsVersionsAndIdsAndNeverReusesAnId()
    {
        await using var broker = await StromBroker.StartAsync(schemaRegistry: true);
        Assert.NotNull(broker.SchemaRegistryUrl);
        Assert.NotEqual(8081, broker.SchemaRegistryUrl!.Port);
        using (var http = new HttpClient { BaseAddress = broker.SchemaRegistryUrl })
        {
            Assert.Equal(1, await RegisterAsync(http, "a-value", "\"string\""));
            Assert.Equal(2, await RegisterAsync(http, "b-value", """{"type":"record","name":"R","fields":[]}"""));
            Assert.Equal(3, await RegisterAsync(http, "b-value", """{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":1}]}"""));
            Assert.Equal(4, await RegisterAsync(http, "gone", "\"long\""));
            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/subjects/gone")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/subjects/gone?permanent=true")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/config/b-value", new { compatibility = "FULL" })).StatusCode);
        }
        var before = await SnapshotAsync(broker.SchemaRegistryUrl);

        await broker.RestartAsync();

        Assert.Equal(before, await SnapshotAsync(broker.SchemaRegistryUrl!));
        using var again = new HttpClient { BaseAddress = broker.SchemaRegistryUrl };
        Assert.Equal("FULL", JsonNode.Parse(await again.GetStringAsync("/config/b-value"))!["compatibilityLevel"]!.GetValue<string>());
        // Id 4 was deleted permanently before the restart; it is not handed out again.
        Assert.Equal(5, await RegisterAsync(again, "c-value", "\"double\""));
        Assert.Equal(3, await RegisterAsync(again, "b-value", """{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":1}]}"""));
    }

    [Fact]
    public async Task ServerRunsNoRegistryWhenDisabled()
    {
        await using var broker = await StromBroker.StartAsync();
        Assert.Null(broker.SchemaRegistryUrl);
        Assert.Null(broker.Server!.SchemaRegistry);
    }

    [Fact]
    public async Task RegistryRunsAloneAgainstABrokerElsewhere()
    {
        await using var broker = await StromBroker.StartAsync();
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = broker.BootstrapServers,
            ["schema.registry.listeners"] = "http://127.0.0.1:0",
            ["kafkastore.topic"] = "_alone",
        };
        Uri url;
        await using (var registry = await Strom.Server.SchemaRegistryWiring.StartAsync(config, Strom.Server.SchemaRegistryWiring.StandaloneBootstrap(config),
            logging => logging.ClearProviders()))
        {
            url = registry.Addresses[0];
            using var http = new HttpClient { BaseAddress = url };
            Assert.Equal(1, await RegisterAsync(http, "x", "\"int\""));
        }
        await using var second = await Strom.Server.SchemaRegistryWiring.StartAsync(config, broker.BootstrapServers, logging => logging.ClearProviders());
        using var client = new HttpClient { BaseAddress = second.Addresses[0] };
        Assert.Equal("[\"x\"]", await client.GetStringAsync("/subjects"));
    }

    private static async Task<int> RegisterAsync(HttpClient http, string subject, string schema)
    {
        using var response = await http.PostAsJsonAsync($"/subjects/{subject}/versions", new { schema });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<int>();
    }

    private static async Task<string> SnapshotAsync(Uri url)
    {
        using var http = new HttpClient { BaseAddress = url };
        return await http.GetStringAsync("/schemas?deleted=true") + await http.GetStringAsync("/subjects?deleted=true")
            + await http.GetStringAsync("/subjects/b-value/versions") + await http.GetStringAsync("/schemas/ids/3");
    }
}
