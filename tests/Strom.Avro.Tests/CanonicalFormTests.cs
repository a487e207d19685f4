namespace Strom.Avro.Tests;

public class CanonicalFormTests
{
    // Fingerprint values are the CRC-64-AVRO test vectors published with the Avro specification's test data.
    [Theory]
    [InlineData("\"null\"", "\"null\"", 7195948357588979594L)]
    [InlineData("{\"type\":\"null\"}", "\"null\"", 7195948357588979594L)]
    [InlineData("\"boolean\"", "\"boolean\"", -6970731678124411036L)]
    [InlineData(" { \"type\" : \"int\" } ", "\"int\"", 8247732601305521295L)]
    [InlineData("\"long\"", "\"long\"", -3434872931120570953L)]
    [InlineData("\"float\"", "\"float\"", 5583340709985441680L)]
    [InlineData("\"double\"", "\"double\"", -8181574048448539266L)]
    [InlineData("\"bytes\"", "\"bytes\"", 5746618253357095269L)]
    [InlineData("\"string\"", "\"string\"", -8142146995180207161L)]
    [InlineData("[ ]", "[]", -1241056759729112623L)]
    [InlineData("[\"int\"]", "[\"int\"]", -5232228896498058493L)]
    [InlineData("[\"int\", {\"type\":\"boolean\"}]", "[\"int\",\"boolean\"]", 5392556393470105090L)]
    [InlineData("{\"name\":\"foo\",\"fields\":[],\"type\":\"record\"}", "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922L)]
    [InlineData("{\"namespace\":\"x.y\",\"fields\":[],\"name\":\"foo\",\"type\":\"record\"}", "{\"name\":\"x.y.foo\",\"type\":\"record\",\"fields\":[]}", 5916914534497305771L)]
    [InlineData("{\"namespace\":\"x.y\",\"fields\":[],\"name\":\"a.b.foo\",\"type\":\"record\"}", "{\"name\":\"a.b.foo\",\"type\":\"record\",\"fields\":[]}", -4616218487480524110L)]
    [InlineData("{\"doc\":\"text\",\"aliases\":[\"z\"],\"fields\":[],\"name\":\"foo\",\"type\":\"record\"}", "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}", -4824392279771201922L)]
    [InlineData("{\"type\":\"record\",\"name\":\"foo\",\"fields\":[{\"name\":\"f1\",\"type\":{\"type\":\"boolean\"},\"doc\":\"d\"}]}", "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\",\"type\":\"boolean\"}]}", 7843277075252814651L)]
    [InlineData("{\"type\":\"record\",\"name\":\"foo\",\"fields\":[{\"name\":\"f1\",\"type\":\"boolean\",\"default\":true,\"aliases\":[]},{\"name\":\"f2\",\"type\":\"int\",\"order\":\"descending\",\"doc\":\"x\"}]}", "{\"name\":\"foo\",\"type\":\"record\",\"fields\":[{\"name\":\"f1\",\"type\":\"boolean\"},{\"name\":\"f2\",\"type\":\"int\"}]}", -4860222112080293046L)]
    [InlineData("{\"symbols\":[\"A1\"],\"name\":\"foo\",\"type\":\"enum\"}", "{\"name\":\"foo\",\"type\":\"enum\",\"symbols\":[\"A1\"]}", -6342190197741309591L)]
    [InlineData("{\"type\":\"enum\",\"name\":\"foo\",\"namespace\":\"x.y.z\",\"doc\":\"d\",\"symbols\":[\"A1\",\"A2\"]}", "{\"name\":\"x.y.z.foo\",\"type\":\"enum\",\"symbols\":[\"A1\",\"A2\"]}", -4448647247586288245L)]
    [InlineData("{\"size\":15,\"type\":\"fixed\",\"name\":\"foo\"}", "{\"name\":\"foo\",\"type\":\"fixed\",\"size\":15}", 1756455273707447556L)]
    [InlineData("{\"type\":\"fixed\",\"name\":\"foo\",\"namespace\":\"x.y.z\",\"size\":32}", "{\"name\":\"x.y.z.foo\",\"type\":\"fixed\",\"size\":32}", -3064184465700546786L)]
    [InlineData("{\"items\":{\"type\":\"null\"},\"type\":\"array\"}", "{\"type\":\"array\",\"items\":\"null\"}", -589620603366471059L)]
    [InlineData("{\"values\":\"string\",\"type\":\"map\"}", "{\"type\":\"map\",\"values\":\"string\"}", -8732877298790414990L)]
    [InlineData("{\"name\":\"PigValue\",\"type\":\"record\",\"fields\":[{\"name\":\"value\",\"type\":[\"null\",\"int\",\"long\",\"PigValue\"]}]}", "{\"name\":\"PigValue\",\"type\":\"record\",\"fields\":[{\"name\":\"value\",\"type\":[\"null\",\"int\",\"long\",\"PigValue\"]}]}", -1759257747318642341L)]
    public void CanonicalFormAndFingerprint(string json, string canonical, long fingerprint)
    {
        var schema = AvroSchema.Parse(json);
        Assert.Equal(canonical, schema.ToCanonicalForm());
        Assert.Equal(fingerprint, unchecked((long)Fingerprint.Rabin(schema)));
    }

    [Fact]
    public void NestedTypesGetFullNamesAndLaterUsesAreNames()
    {
        var schema = AvroSchema.Parse("""
            {"type":"record","name":"Outer","namespace":"a","doc":"x","fields":[
              {"name":"one","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"X","aliases":["F"]}},
              {"name":"two","type":{"type":"array","items":"E"}},
              {"name":"three","type":{"type":"map","values":{"type":"fixed","name":"b.Hash","size":4}}},
              {"name":"four","type":["null","Outer",{"type":"int","logicalType":"date"}],"default":null},
              {"name":"five","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2,"extra":true}}
            ]}
            """);
        Assert.Equal(
            """{"name":"a.Outer","type":"record","fields":[{"name":"one","type":{"name":"a.E","type":"enum","symbols":["X","Y"]}},{"name":"two","type":{"type":"array","items":"a.E"}},{"name":"three","type":{"type":"map","values":{"name":"b.Hash","type":"fixed","size":4}}},{"name":"four","type":["null","a.Outer","int"]},{"name":"five","type":"bytes"}]}""",
            schema.ToCanonicalForm());
    }

    [Fact]
    public void SchemasDifferingOnlyInDocsAndDefaultsShareTheFingerprint()
    {
        var a = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}""");
        var b = AvroSchema.Parse("""{"type":"record","name":"R","doc":"documented","fields":[{"name":"x","type":"int","default":7,"doc":"y"}]}""");
        var c = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"x","type":"long"}]}""");
        Assert.Equal(Fingerprint.Rabin(a), Fingerprint.Rabin(b));
        Assert.NotEqual(Fingerprint.Rabin(a), Fingerprint.Rabin(c));
        Assert.NotEqual(a.ToString(), b.ToString());
    }
}
