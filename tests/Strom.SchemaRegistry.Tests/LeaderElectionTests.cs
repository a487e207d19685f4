using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Strom.Server;
using Strom.Testing;

namespace Strom.SchemaRegistry.Tests;

/// <summary>Several registry instances sharing one _schemas topic: one elected writer, the others forward.</summary>
public sealed class LeaderElectionTests
{
    private static Dictionary<string, string> Config(StromBroker broker, bool eligible = true) => new()
    {
        ["bootstrap.servers"] = broker.BootstrapServers,
        ["schema.registry.listeners"] = "http://127.0.0.1:0",
        ["kafkastore.topic"] = "_shared",
        ["leader.eligibility"] = eligible ? "true" : "false",
    };

    private static Task<SchemaRegistryHost> StartAsync(Dictionary<string, string> config) =>
        SchemaRegistryWiring.StartAsync(config, config["bootstrap.servers"], logging => logging.ClearProviders());

    [Fact]
    public async Task FollowerForwardsWritesAndBothServeReadsThenTheOtherTakesOver()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var first = await StartAsync(Config(broker));
        await using var second = await StartAsync(Config(broker));
        await WaitAsync(() => first.Elector!.Leader is not null && second.Elector!.Leader is not null
            && first.Elector.Leader == second.Elector.Leader && first.Elector.IsLeader != second.Elector.IsLeader);
        var (leader, follower) = first.Elector!.IsLeader ? (first, second) : (second, first);
        Assert.Equal(leader.Addresses[0].Port, follower.Elector!.Leader!.Port);

        using var toFollower = new HttpClient { BaseAddress = follower.Addresses[0] };
        using var toLeader = new HttpClient { BaseAddress = leader.Addresses[0] };
        Assert.Equal(1, await RegisterAsync(toFollower, "a", "\"int\""));
        Assert.Equal(2, await RegisterAsync(toLeader, "b", "\"string\""));
        using (var put = await toFollower.PutAsJsonAsync("/config/a", new { compatibility = "NONE" }))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
        await WaitAsync(() => follower.Registry.GetSubjects(null, false).Count == 2 && follower.Registry.GetCompatibility("a", false) == "NONE");
        Assert.Equal("[\"a\",\"b\"]", await toLeader.GetStringAsync("/subjects"));
        Assert.Equal("[\"a\",\"b\"]", await toFollower.GetStringAsync("/subjects"));
        Assert.Equal("\"string\"", await toFollower.GetStringAsync("/schemas/ids/2/schema"));
        Assert.Contains("NONE", await toLeader.GetStringAsync("/config/a"));

        await leader.DisposeAsync();
        var survivor = leader == first ? second : first;
        await WaitAsync(() => survivor.Elector!.IsLeader);
        using var toSurvivor = new HttpClient { BaseAddress = survivor.Addresses[0] };
        Assert.Equal(3, await RegisterAsync(toSurvivor, "c", "\"long\""));
        Assert.Equal(1, await RegisterAsync(toSurvivor, "a", "\"int\""));
    }

    /// <summary>A write that arrives before any leader is known waits for the election instead of failing with 50004.</summary>
    [Fact]
    public async Task WriteBeforeTheElectionWaitsForTheLeader()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var follower = await StartAsync(Config(broker, eligible: false));
        Assert.Null(follower.Elector!.Leader);
        using var http = new HttpClient { BaseAddress = follower.Addresses[0] };
        var write = RegisterAsync(http, "early", "\"int\"");
        await Task.Delay(200);
        Assert.False(write.IsCompleted);
        await using var leader = await StartAsync(Config(broker));
        Assert.Equal(1, await write);
        Assert.True(leader.Elector!.IsLeader);
        using var toLeader = new HttpClient { BaseAddress = leader.Addresses[0] };
        Assert.Equal("[\"early\"]", await toLeader.GetStringAsync("/subjects"));
    }

    [Fact]
    public async Task WritesToAnInstanceWithNoEligibleLeaderAreRefusedWith50004()
    {
        await using var broker = await StromBroker.StartAsync();
        var config = Config(broker, eligible: false);
        config["leader.wait.ms"] = "300";
        await using var registry = await StartAsync(config);
        using var http = new HttpClient { BaseAddress = registry.Addresses[0] };
        using var response = await http.PostAsJsonAsync("/subjects/a/versions", new { schema = "\"int\"" });
        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal(50004, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_code"]!.GetValue<int>());
        Assert.Equal("[]", await http.GetStringAsync("/subjects"));
    }

    private static async Task<int> RegisterAsync(HttpClient http, string subject, string schema)
    {
        using var response = await http.PostAsJsonAsync($"/subjects/{subject}/versions", new { schema });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<int>();
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
