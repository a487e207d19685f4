using Strom.Avro.Generic;

namespace Strom.Avro.Tests;

public class ResolutionTests
{
    [Fact]
    public void ReaderGetsDefaultsPromotionsAliasesAndSkipsUnknownFields()
    {
        var writer = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"V1","fields":[
              {"name":"id","type":"int"},
              {"name":"gone","type":{"type":"array","items":"string"}},
              {"name":"old_name","type":"string"},
              {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B","Z"]}},
              {"name":"maybe","type":["null","float"]}
            ]}
            """);
        var reader = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"V2","aliases":["V1"],"fields":[
              {"name":"id","type":"long"},
              {"name":"new_name","type":"bytes","aliases":["old_name"]},
              {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B","OTHER"],"default":"OTHER"}},
              {"name":"maybe","type":["null","double"]},
              {"name":"added","type":{"type":"map","values":"int"},"default":{"x":1}}
            ]}
            """);
        var kind = (EnumSchema)writer.Fields[3].Schema;
        var value = new GenericRecord(writer)
            .With("id", 7)
            .With("gone", new List<object?> { "a", "b" })
            .With("old_name", "hi")
            .With("kind", new GenericEnum(kind, "Z"))
            .With("maybe", 1.5f);
        var result = (GenericRecord)AvroReader.Decode(writer, reader, AvroWriter.Encode(writer, value))!;
        Assert.Equal(7L, result["id"]);
        Assert.Equal("hi"u8.ToArray(), (byte[])result["new_name"]!);
        Assert.Equal("OTHER", ((GenericEnum)result["kind"]!).Symbol);
        Assert.Equal(1.5d, result["maybe"]);
        Assert.Equal(1, ((IDictionary<string, object?>)result["added"]!)["x"]);
    }

    [Fact]
    public void WriterBranchSelectsReaderBranch()
    {
        var writer = AvroSchema.Parse("[\"null\",\"int\",\"string\"]");
        var reader = AvroSchema.Parse("[\"string\",\"long\",\"null\"]");
        Assert.Equal(5L, AvroReader.Decode(writer, reader, AvroWriter.Encode(writer, 5)));
        Assert.Equal("s", AvroReader.Decode(writer, reader, AvroWriter.Encode(writer, "s")));
        Assert.Null(AvroReader.Decode(writer, reader, AvroWriter.Encode(writer, null)));
        Assert.Equal(3L, AvroReader.Decode(AvroSchema.Parse("\"int\""), AvroSchema.Parse("[\"null\",\"long\"]"), [6]));
    }

    [Fact]
    public void UnresolvableDataFails()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}""");
        Assert.Throws<AvroDataException>(() => AvroReader.Decode(writer, reader, [2]));
        Assert.Throws<AvroDataException>(() => AvroReader.Decode(AvroSchema.Parse("\"string\""), AvroSchema.Parse("\"int\""), [2, 65]));
    }
}
