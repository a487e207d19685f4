using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Strom.Avro;
using Strom.Avro.Generic;

namespace Strom.Benchmarks.Micro;

/// <summary>
/// Avro binary encode and decode of a 20-field generic record (strings, numbers, a nullable union,
/// an enum, an array, a map): what a schema-registry serde does per record. The baseline is
/// System.Text.Json writing and reading the same data as a typed object, in the same run.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
public class AvroBenchmarks
{
    private const string SchemaText = """
        {"type":"record","name":"Trade","namespace":"bench","fields":[
          {"name":"id","type":"string"},{"name":"account","type":"string"},{"name":"symbol","type":"string"},
          {"name":"venue","type":"string"},{"name":"trader","type":"string"},
          {"name":"quantity","type":"long"},{"name":"filled","type":"long"},{"name":"sequence","type":"long"},
          {"name":"timestamp","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"legs","type":"int"},{"name":"priority","type":"int"},
          {"name":"price","type":"double"},{"name":"fee","type":"double"},{"name":"ratio","type":"float"},
          {"name":"active","type":"boolean"},{"name":"hedged","type":"boolean"},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"side","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"attributes","type":{"type":"map","values":"string"}}]}
        """;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private RecordSchema _schema = null!;
    private GenericRecord _record = null!;
    private byte[] _encoded = [];
    private Trade _trade = null!;
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _schema = (RecordSchema)AvroSchema.Parse(SchemaText);
        var side = new GenericEnum((EnumSchema)_schema.GetField("side")!.Schema, "SELL");
        _record = new GenericRecord(_schema)
            .With("id", "T-000123456").With("account", "ACC-42").With("symbol", "STRM").With("venue", "XAMS").With("trader", "alice")
            .With("quantity", 1_000L).With("filled", 750L).With("sequence", 987_654_321L).With("timestamp", 1_763_788_800_000L)
            .With("legs", 2).With("priority", 7).With("price", 101.25).With("fee", 0.35).With("ratio", 0.75f)
            .With("active", true).With("hedged", false).With("note", "partial fill").With("side", side)
            .With("tags", new List<object?> { "algo", "dark" })
            .With("attributes", new Dictionary<string, object?> { ["desk"] = "eq", ["region"] = "emea" });
        _encoded = AvroWriter.Encode(_schema, _record);
        _trade = new Trade("T-000123456", "ACC-42", "STRM", "XAMS", "alice", 1_000, 750, 987_654_321, 1_763_788_800_000, 2, 7, 101.25, 0.35, 0.75f,
            true, false, "partial fill", "SELL", ["algo", "dark"], new Dictionary<string, string> { ["desk"] = "eq", ["region"] = "emea" });
        _json = JsonSerializer.SerializeToUtf8Bytes(_trade);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("encode")]
    public int JsonEncode()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer);
        JsonSerializer.Serialize(writer, _trade);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    [BenchmarkCategory("encode")]
    public int AvroEncode()
    {
        _buffer.ResetWrittenCount();
        AvroWriter.Write(_buffer, _schema, _record);
        return _buffer.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("decode")]
    public Trade? JsonDecode() => JsonSerializer.Deserialize<Trade>(_json);

    [Benchmark]
    [BenchmarkCategory("decode")]
    public object? AvroDecode() => AvroReader.Decode(_schema, _encoded);

    public sealed record Trade(string Id, string Account, string Symbol, string Venue, string Trader, long Quantity, long Filled, long Sequence,
        long Timestamp, int Legs, int Priority, double Price, double Fee, float Ratio, bool Active, bool Hedged, string? Note, string Side,
        List<string> Tags, Dictionary<string, string> Attributes);
}
