using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Strom.Avro;
using Strom.Avro.Generic;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// @kafkajs/confluent-schema-registry (with avsc) against the registry: it registers and encodes,
/// Strom.Avro decodes its payload; Strom.Avro encodes, it decodes. Needs node and
/// `npm install` in tests/clients/js-schema; otherwise the test reports itself skipped by
/// returning early with a message (xunit 2 has no dynamic skip).
/// </summary>
public sealed class JsClientInteropTests
{
    private static readonly string ScriptDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/js-schema"));

    [Fact]
    public async Task KafkajsRegistryClientAndStromAvroReadEachOther()
    {
        if (!Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "@kafkajs")))
        {
            Console.WriteLine($"js-schema interop not run: npm install in {ScriptDirectory} first");
            return;
        }
        await using var server = await RegistryServer.StartAsync();
        var url = server.Host.Addresses[0].ToString().TrimEnd('/');

        var output = JsonNode.Parse(await RunNodeAsync(url, "encode"))!;
        var id = output["id"]!.GetValue<int>();
        var payload = Convert.FromHexString(output["payload"]!.GetValue<string>());
        Assert.Equal(0, payload[0]);
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(1, 4)));

        var schemaText = (await server.GetAsync($"/schemas/ids/{id}")).Body!["schema"]!.GetValue<string>();
        var schema = (RecordSchema)AvroSchema.Parse(schemaText);
        var record = (GenericRecord)AvroReader.Decode(schema, payload.AsSpan(5))!;
        Assert.Equal("p-1", record["id"]);
        Assert.Equal(12.5, record["amount"]);
        Assert.Equal(3L, record["count"]);
        Assert.Equal(new List<object?> { "a", "b" }, (IList<object?>)record["tags"]!);
        Assert.Equal("hi", record["note"]);
        Assert.Equal("CASH", ((GenericEnum)record["kind"]!).Symbol);

        record["id"] = "from-strom";
        record["note"] = null;
        var ours = new byte[] { 0, 0, 0, 0, 0 }.Concat(AvroWriter.Encode(schema, record)).ToArray();
        BinaryPrimitives.WriteInt32BigEndian(ours.AsSpan(1), id);
        var decoded = JsonNode.Parse(await RunNodeAsync(url, "decode", Convert.ToHexString(ours)))!;
        Assert.Equal("from-strom", decoded["id"]!.GetValue<string>());
        Assert.Null(decoded["note"]);
        Assert.Equal("CASH", decoded["kind"]!.GetValue<string>());
    }

    private static async Task<string> RunNodeAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = ScriptDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("interop.js");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        return (await stdout).Trim();
    }
}
