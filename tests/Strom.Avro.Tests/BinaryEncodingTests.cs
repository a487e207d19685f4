using Strom.Avro.Generic;

namespace Strom.Avro.Tests;

public class BinaryEncodingTests
{
    private static readonly RecordSchema Everything = (RecordSchema)AvroSchema.Parse("""
        {"type":"record","name":"Everything","namespace":"t","fields":[
          {"name":"n","type":"null"},
          {"name":"b","type":"boolean"},
          {"name":"i","type":"int"},
          {"name":"l","type":"long"},
          {"name":"f","type":"float"},
          {"name":"d","type":"double"},
          {"name":"bytes","type":"bytes"},
          {"name":"s","type":"string"},
          {"name":"e","type":{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","DIAMONDS","CLUBS"]}},
          {"name":"x","type":{"type":"fixed","name":"Four","size":4}},
          {"name":"arr","type":{"type":"array","items":"long"}},
          {"name":"m","type":{"type":"map","values":["null","string"]}},
          {"name":"u","type":["null","int","string","Four"]},
          {"name":"next","type":["null","Everything"]}
        ]}
        """);

    // Spec "Binary Encoding" examples.
    [Theory]
    [InlineData("\"int\"", 0, "00")]
    [InlineData("\"int\"", -1, "01")]
    [InlineData("\"int\"", 1, "02")]
    [InlineData("\"int\"", -2, "03")]
    [InlineData("\"int\"", 2, "04")]
    [InlineData("\"int\"", -64, "7F")]
    [InlineData("\"int\"", 64, "8001")]
    [InlineData("\"string\"", "foo", "06666F6F")]
    [InlineData("\"boolean\"", true, "01")]
    [InlineData("[\"null\",\"string\"]", null, "00")]
    [InlineData("[\"null\",\"string\"]", "a", "020261")]
    public void SpecificationExamples(string schemaJson, object? value, string hex)
    {
        var schema = AvroSchema.Parse(schemaJson);
        Assert.Equal(hex, Convert.ToHexString(AvroWriter.Encode(schema, value)));
        Assert.Equal(value, AvroReader.Decode(schema, Convert.FromHexString(hex)));
    }

    [Fact]
    public void ArrayOfLongsMatchesTheSpecification()
    {
        // {3, 27}: count 2, then 3 and 27, then the end block.
        var schema = AvroSchema.Parse("""{"type":"array","items":"long"}""");
        Assert.Equal("04063600", Convert.ToHexString(AvroWriter.Encode(schema, new List<object?> { 3L, 27L })));
    }

    [Fact]
    public void NegativeBlockCountsCarryAByteSizeAndAreRead()
    {
        var schema = AvroSchema.Parse("""{"type":"array","items":"long"}""");
        // count -2 (zig-zag 03), block size 2 bytes (04), items 3 and 27, end.
        var value = (IList<object?>)AvroReader.Decode(schema, Convert.FromHexString("0304063600"))!;
        Assert.Equal([3L, 27L], value);
    }

    [Fact]
    public void EveryTypeRoundTrips()
    {
        var value = Sample(depth: 2);
        var bytes = AvroWriter.Encode(Everything, value);
        var decoded = AvroReader.Decode(Everything, bytes);
        Assert.Equal(value, decoded);
        Assert.Equal(bytes, AvroWriter.Encode(Everything, decoded));
    }

    [Fact]
    public void EveryTruncationIsRejectedNeverMisread()
    {
        var bytes = AvroWriter.Encode(Everything, Sample(depth: 1));
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<AvroDataException>(() => AvroReader.Decode(Everything, bytes.AsSpan(0, length)));
        }
        Assert.Throws<AvroDataException>(() => AvroReader.Decode(Everything, [.. bytes, 0]));
    }

    [Theory]
    [InlineData("\"string\"", "FEFFFFFFFFFFFFFFFF01")] // length far beyond the input
    [InlineData("\"bytes\"", "01")]                   // negative length
    [InlineData("\"int\"", "FFFFFFFFFF01")]           // varint longer than 5 bytes
    [InlineData("\"boolean\"", "02")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", "FEFFFFFF0F")] // block count larger than the data
    [InlineData("{\"type\":\"array\",\"items\":\"null\"}", "FEFFFFFF0F")] // zero-size items: capped
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}", "02")]
    [InlineData("[\"null\",\"int\"]", "04")]
    [InlineData("\"string\"", "04C328")] // invalid UTF-8
    public void HostileInputIsRejected(string schemaJson, string hex)
    {
        Assert.Throws<AvroDataException>(() => AvroReader.Decode(AvroSchema.Parse(schemaJson), Convert.FromHexString(hex)));
    }

    [Fact]
    public void ValuesThatDoNotMatchTheSchemaAreRejected()
    {
        Assert.Throws<AvroDataException>(() => AvroWriter.Encode(AvroSchema.Parse("\"int\""), "1"));
        Assert.Throws<AvroDataException>(() => AvroWriter.Encode(AvroSchema.Parse("[\"null\",\"int\"]"), "x"));
        Assert.Throws<AvroDataException>(() => AvroWriter.Encode(AvroSchema.Parse("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}"), "B"));
        Assert.Throws<AvroDataException>(() => AvroWriter.Encode(AvroSchema.Parse("{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}"), new byte[3]));
        Assert.Throws<AvroDataException>(() => AvroWriter.Encode(Everything, new GenericRecord((RecordSchema)AvroSchema.Parse("{\"type\":\"record\",\"name\":\"Q\",\"fields\":[]}"))));
    }

    [Fact]
    public void UnionPicksExactBranchBeforePromotion()
    {
        var union = (UnionSchema)AvroSchema.Parse("[\"long\",\"int\",\"double\"]");
        Assert.Equal(1, AvroWriter.ResolveBranch(union, 5));
        Assert.Equal(0, AvroWriter.ResolveBranch(union, 5L));
        Assert.Equal(2, AvroWriter.ResolveBranch(union, 1.5f));
        Assert.Equal(-1, AvroWriter.ResolveBranch(union, "s"));
    }

    internal static GenericRecord Sample(int depth)
    {
        var suit = (EnumSchema)Everything.GetField("e")!.Schema;
        var four = (FixedSchema)Everything.GetField("x")!.Schema;
        return new GenericRecord(Everything)
            .With("n", null)
            .With("b", true)
            .With("i", -123456)
            .With("l", long.MinValue)
            .With("f", 3.25f)
            .With("d", double.NaN)
            .With("bytes", new byte[] { 0, 1, 255 })
            .With("s", "grüße ✓")
            .With("e", new GenericEnum(suit, "CLUBS"))
            .With("x", new GenericFixed(four, [1, 2, 3, 4]))
            .With("arr", new List<object?> { 1L, -1L, long.MaxValue })
            .With("m", new Dictionary<string, object?> { ["a"] = null, ["b"] = "bee" })
            .With("u", new GenericFixed(four, [9, 9, 9, 9]))
            .With("next", depth == 0 ? null : Sample(depth - 1));
    }
}
