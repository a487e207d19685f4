using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Strom.Client.Serialization;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Serdes;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// confluent-kafka's Python registry client (Debian's python3-confluent-kafka, with python3-requests
/// and python3-jsonschema) against the registry: tests/clients/schema_registry_python.py drives the
/// REST client and the JSON Schema serde, then Strom decodes what Python serialized. Avro serdes are
/// not run: they need fastavro, which Debian does not package. Its Protobuf serdes run with
/// python3-protobuf and a module compiled by protoc (protobuf-compiler, libprotobuf-dev): they
/// register in Confluent's serialized form (base64 FileDescriptorProto, imports as references).
/// Without the packages these tests fail.
/// </summary>
public sealed class PythonClientInteropTests : RegistryClientTestBase
{
    private const string SystemPython = "/usr/bin/python3";
    private static readonly string Script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/schema_registry_python.py"));
    private static readonly string ProtobufScript = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/schema_registry_python_protobuf.py"));
    [Fact]
    public async Task ConfluentKafkaPythonRegistryClientAndJsonSerde()
    {
        var (exitCode, output, stderr) = await ExternalProcess.RunAsync(SystemPython, [Script, Url]);
        Assert.True(exitCode == 0,
            $"schema_registry_python.py exited {exitCode} (needs apt-get install -y python3-confluent-kafka python3-requests python3-jsonschema): {output} {stderr}");

        var result = JsonNode.Parse(output)!;
        var id = result["id"]!.GetValue<int>();
        var payload = Convert.FromHexString(result["payload"]!.GetValue<string>());
        Assert.Equal(0, payload[0]);
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(1, 4)));
        Assert.Equal("JSON", (await Client.GetSchemaByIdAsync(id)).SchemaType);
        var value = new JsonSchemaDeserializer<JsonElement>(Client, validate: true)
            .Deserialize(payload, false, new SerializationContext("py-json", MessageComponent.Value));
        Assert.Equal(7, value.GetProperty("id").GetInt32());
        Assert.Equal("seven", value.GetProperty("name").GetString());
        Assert.Equal("x", value.GetProperty("tags")[0].GetString());
    }

    [Fact]
    public async Task ConfluentKafkaPythonProtobufSerdes()
    {
        var work = Directory.CreateTempSubdirectory("strom-py-proto").FullName;
        try
        {
            var encoded = JsonNode.Parse(await RunProtobufScriptAsync(work, "encode"))!;
            var id = encoded["id"]!.GetValue<int>();
            var payload = Convert.FromHexString(encoded["payload"]!.GetValue<string>());
            Assert.Equal("PROTOBUF", (await Client.GetSchemaByIdAsync(id)).SchemaType);
            var subjects = await Client.GetSubjectsAsync();
            Assert.Contains("google/protobuf/timestamp.proto", subjects);
            Assert.Contains("py-proto-value", subjects);

            var message = new ProtobufDeserializer(Client).Deserialize(payload, false, new SerializationContext("py-proto", MessageComponent.Value))!;
            Assert.Equal("pyinterop.Payment", message.MessageName!.TrimStart('.'));
            Assert.Equal(id, message.SchemaId);
            var fields = ReadFields(message.Payload.ToArray());
            Assert.Equal("p-1", System.Text.Encoding.UTF8.GetString(fields[1][0]));
            Assert.Equal([(byte)3], fields[2][0]);
            Assert.Equal(["a", "b"], fields[3].Select(f => System.Text.Encoding.UTF8.GetString(f)));
            Assert.Equal("from python", System.Text.Encoding.UTF8.GetString(ReadFields(fields[5][0])[1][0]));

            var latest = await Client.GetVersionAsync("py-proto-value");
            var ours = await new ProtobufSerializer(Client, latest.Schema, new SerializerConfig { UseLatestVersion = true, AutoRegisterSchemas = false }, latest.References)
                .SerializeAsync(new ProtobufMessage("pyinterop.Payment", PaymentFromStrom()), new SerializationContext("py-proto", MessageComponent.Value));
            Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(1)));
            var decoded = JsonNode.Parse(await RunProtobufScriptAsync(work, "decode", Convert.ToHexString(ours)))!;
            Assert.Equal("p-2", decoded["id"]!.GetValue<string>());
            Assert.Equal(5, decoded["count"]!.GetValue<int>());
            Assert.Equal("z", decoded["tags"]![0]!.GetValue<string>());
            Assert.Equal(1_800_000_000, decoded["at"]!.GetValue<long>());
            Assert.Equal("from strom", decoded["note"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    /// <summary>Payment{id "p-2", count 5, tags ["z"], at {seconds 1800000000}, detail {note "from strom"}} in protobuf's encoding.</summary>
    private static byte[] PaymentFromStrom()
    {
        var seconds = new List<byte> { 0x08 };
        for (var v = 1_800_000_000UL; ; v >>= 7)
        {
            if (v < 0x80)
            {
                seconds.Add((byte)v);
                break;
            }
            seconds.Add((byte)(v | 0x80));
        }
        byte[] note = [0x0A, 10, .. "from strom"u8];
        return [0x0A, 3, .. "p-2"u8, 0x10, 5, 0x1A, 1, (byte)'z', 0x22, (byte)seconds.Count, .. seconds, 0x2A, (byte)note.Length, .. note];
    }

    /// <summary>The fields of a protobuf message: number -> values (varints as their raw bytes, length-delimited as their content).</summary>
    private static Dictionary<int, List<byte[]>> ReadFields(byte[] message)
    {
        var fields = new Dictionary<int, List<byte[]>>();
        var position = 0;
        ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
        while (position < message.Length)
        {
            var key = Varint();
            var start = position;
            byte[] value;
            switch (key & 7)
            {
                case 0:
                    Varint();
                    value = message[start..position];
                    break;
                case 2:
                    var length = (int)Varint();
                    value = message[position..(position + length)];
                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"wire type {key & 7} not expected in this message");
            }
            (fields.TryGetValue((int)(key >> 3), out var list) ? list : fields[(int)(key >> 3)] = []).Add(value);
        }
        return fields;
    }

    private async Task<string> RunProtobufScriptAsync(string work, params string[] args)
    {
        var (exitCode, output, stderr) = await ExternalProcess.RunAsync(SystemPython, [ProtobufScript, Url, work, .. args]);
        Assert.True(exitCode == 0,
            $"schema_registry_python_protobuf.py {args[0]} exited {exitCode} (needs apt-get install -y python3-confluent-kafka python3-protobuf protobuf-compiler libprotobuf-dev): {output} {stderr}");
        return output;
    }
}
