namespace Strom.Avro.Tests;

public class SchemaParserTests
{
    [Theory]
    [InlineData("\"null\"", AvroType.Null)]
    [InlineData("\"boolean\"", AvroType.Boolean)]
    [InlineData("{\"type\":\"int\"}", AvroType.Int)]
    [InlineData("\"long\"", AvroType.Long)]
    [InlineData("\"float\"", AvroType.Float)]
    [InlineData("\"double\"", AvroType.Double)]
    [InlineData("\"bytes\"", AvroType.Bytes)]
    [InlineData("{\"type\":\"string\"}", AvroType.String)]
    [InlineData("[\"null\",\"string\"]", AvroType.Union)]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", AvroType.Array)]
    [InlineData("{\"type\":\"map\",\"values\":\"long\"}", AvroType.Map)]
    [InlineData("{\"type\":\"fixed\",\"name\":\"md5\",\"size\":16}", AvroType.Fixed)]
    [InlineData("{\"type\":\"enum\",\"name\":\"Suit\",\"symbols\":[\"SPADES\",\"HEARTS\"]}", AvroType.Enum)]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}", AvroType.Record)]
    [InlineData("{\"type\":\"error\",\"name\":\"E\",\"fields\":[]}", AvroType.Record)]
    public void ParsesEveryType(string json, AvroType expected)
    {
        Assert.Equal(expected, AvroSchema.Parse(json).Type);
    }

    [Fact]
    public void NamespacesFollowTheSpecificationExample()
    {
        // Spec "Names": a nested type with no namespace inherits the enclosing one; a dotted name is already full.
        var schema = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"Outer","namespace":"org.example","fields":[
              {"name":"a","type":{"type":"fixed","name":"Inner","size":2}},
              {"name":"b","type":{"type":"enum","name":"com.other.Kind","symbols":["X"]}},
              {"name":"c","type":{"type":"record","name":"Deep","namespace":"","fields":[
                 {"name":"d","type":{"type":"fixed","name":"Leaf","size":1}}]}},
              {"name":"e","type":"Inner"},
              {"name":"f","type":"com.other.Kind"}
            ]}
            """);
        Assert.Equal("org.example.Outer", schema.FullName);
        Assert.Equal("org.example.Inner", ((FixedSchema)schema.Fields[0].Schema).FullName);
        Assert.Equal("com.other.Kind", ((EnumSchema)schema.Fields[1].Schema).FullName);
        var deep = (RecordSchema)schema.Fields[2].Schema;
        Assert.Equal("Deep", deep.FullName);
        Assert.Null(deep.Namespace);
        Assert.Equal("Leaf", ((FixedSchema)deep.Fields[0].Schema).FullName);
        Assert.Same(schema.Fields[0].Schema, schema.Fields[3].Schema);
        Assert.Same(schema.Fields[1].Schema, schema.Fields[4].Schema);
    }

    [Fact]
    public void RecursiveRecordRefersToItself()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"LongList","aliases":["LinkedLongs"],"fields":[
              {"name":"value","type":"long"},{"name":"next","type":["null","LongList"]}]}
            """);
        var next = (UnionSchema)schema.Fields[1].Schema;
        Assert.Same(schema, next.Branches[1]);
        Assert.Equal(["LinkedLongs"], schema.Aliases);
    }

    [Fact]
    public void AliasesResolveAgainstTheNamespace()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""{"type":"record","name":"a.R","aliases":["Old","b.Other"],"fields":[]}""");
        Assert.Equal(["a.Old", "b.Other"], schema.Aliases);
    }

    [Theory]
    [InlineData("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4,\"scale\":2}", "decimal")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"d\",\"size\":4,\"logicalType\":\"decimal\",\"precision\":9}", "decimal")]
    [InlineData("{\"type\":\"string\",\"logicalType\":\"uuid\"}", "uuid")]
    [InlineData("{\"type\":\"int\",\"logicalType\":\"date\"}", "date")]
    [InlineData("{\"type\":\"int\",\"logicalType\":\"time-millis\"}", "time-millis")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"time-micros\"}", "time-micros")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "timestamp-millis")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}", "timestamp-micros")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}", "local-timestamp-millis")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}", "local-timestamp-micros")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"dur\",\"size\":12,\"logicalType\":\"duration\"}", "duration")]
    public void ValidLogicalTypesAreRecognised(string json, string name)
    {
        Assert.Equal(name, AvroSchema.Parse(json).LogicalType?.Name);
    }

    [Theory]
    [InlineData("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":2,\"scale\":3}")]
    [InlineData("{\"type\":\"bytes\",\"logicalType\":\"decimal\"}")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"d\",\"size\":4,\"logicalType\":\"decimal\",\"precision\":10}")]
    [InlineData("{\"type\":\"string\",\"logicalType\":\"date\"}")]
    [InlineData("{\"type\":\"int\",\"logicalType\":\"timestamp-millis\"}")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"dur\",\"size\":8,\"logicalType\":\"duration\"}")]
    [InlineData("{\"type\":\"long\",\"logicalType\":\"no-such-type\"}")]
    public void InvalidLogicalTypesAreIgnoredButKept(string json)
    {
        var schema = AvroSchema.Parse(json);
        Assert.Null(schema.LogicalType);
        Assert.Contains("logicalType", schema.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DecimalCarriesPrecisionAndScale()
    {
        var logical = AvroSchema.Parse("""{"type":"bytes","logicalType":"decimal","precision":10,"scale":3}""").LogicalType;
        Assert.Equal(new LogicalType("decimal", 10, 3), logical);
    }

    [Theory]
    [InlineData("{\"type\":\"int\"", "Invalid JSON")]
    [InlineData("\"nosuchtype\"", "Undefined name")]
    [InlineData("42", "Not a schema")]
    [InlineData("{\"name\":\"x\"}", "No type")]
    [InlineData("{\"type\":\"record\",\"fields\":[]}", "No name")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\"}", "fields")]
    [InlineData("{\"type\":\"record\",\"name\":\"1R\",\"fields\":[]}", "Illegal name")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a..b\",\"fields\":[]}", "Illegal namespace")]
    [InlineData("{\"type\":\"record\",\"name\":\"int\",\"fields\":[]}", "named after primitives")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\",\"type\":\"int\"}]}", "Duplicate field")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a-b\",\"type\":\"int\"}]}", "Illegal field")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\"}]}", "\"type\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}}]}", "Can't redefine")]
    [InlineData("[\"int\",\"int\"]", "Duplicate in union")]
    [InlineData("[\"int\",[\"string\"]]", "may not immediately contain")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}", "Duplicate enum symbol")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],\"default\":\"B\"}", "enum default")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"9\"]}", "Illegal enum symbol")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\"}", "symbols")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}", "Invalid size")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"F\"}", "\"size\"")]
    [InlineData("{\"type\":\"array\"}", "\"items\"")]
    [InlineData("{\"type\":\"map\"}", "\"values\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"order\":\"sideways\"}]}", "Invalid order")]
    public void RejectsInvalidSchemas(string json, string messagePart)
    {
        var e = Assert.Throws<AvroSchemaException>(() => AvroSchema.Parse(json));
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"int\"", "1")]
    [InlineData("\"int\"", "-2147483648")]
    [InlineData("\"long\"", "9223372036854775807")]
    [InlineData("\"float\"", "1.5")]
    [InlineData("\"double\"", "\"NaN\"")]
    [InlineData("\"boolean\"", "false")]
    [InlineData("\"null\"", "null")]
    [InlineData("\"bytes\"", "\"\\u00ff\"")]
    [InlineData("\"string\"", "\"x\"")]
    [InlineData("[\"null\",\"string\"]", "null")]
    [InlineData("[\"string\",\"null\"]", "\"a\"")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", "[1,2]")]
    [InlineData("{\"type\":\"map\",\"values\":\"int\"}", "{\"a\":1}")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}", "\"B\"")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}", "\"ab\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"In\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},{\"name\":\"y\",\"type\":\"int\",\"default\":0}]}", "{\"x\":1}")]
    public void AcceptsDefaultsOfTheRightType(string type, string defaultJson)
    {
        var schema = (RecordSchema)AvroSchema.Parse($$"""{"type":"record","name":"R","fields":[{"name":"f","type":{{type}},"default":{{defaultJson}}}]}""");
        Assert.True(schema.Fields[0].HasDefault);
    }

    [Theory]
    [InlineData("\"int\"", "1.5")]
    [InlineData("\"int\"", "2147483648")]
    [InlineData("\"int\"", "\"1\"")]
    [InlineData("\"long\"", "1e400")]
    [InlineData("\"boolean\"", "\"true\"")]
    [InlineData("\"null\"", "0")]
    [InlineData("\"string\"", "null")]
    [InlineData("\"float\"", "\"fast\"")]
    [InlineData("[\"null\",\"string\"]", "\"a\"")]
    [InlineData("{\"type\":\"array\",\"items\":\"int\"}", "[1,\"2\"]")]
    [InlineData("{\"type\":\"map\",\"values\":\"int\"}", "[]")]
    [InlineData("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}", "\"C\"")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}", "\"abc\"")]
    [InlineData("{\"type\":\"record\",\"name\":\"In\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}", "{}")]
    public void RejectsDefaultsOfTheWrongType(string type, string defaultJson)
    {
        var e = Assert.Throws<AvroSchemaException>(() =>
            AvroSchema.Parse($$"""{"type":"record","name":"R","fields":[{"name":"f","type":{{type}},"default":{{defaultJson}}}]}"""));
        Assert.Contains("Invalid default for field f", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferencesMakeNamedTypesAvailable()
    {
        var address = """{"type":"record","name":"Address","namespace":"shop","fields":[{"name":"street","type":"string"}]}""";
        var schema = AvroSchema.Parse(
            """{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"home","type":"Address"}]}""",
            [address], out var referenced);
        Assert.Equal(["shop.Address"], referenced);
        Assert.Equal("""{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"home","type":"Address"}]}""",
            SchemaWriter.ToJson(schema, referenced));
        Assert.Throws<AvroSchemaException>(() => AvroSchema.Parse("""{"type":"record","name":"C","fields":[{"name":"h","type":"shop.Address"}]}"""));
    }

    [Fact]
    public void TooDeepNestingIsRejected()
    {
        var json = string.Concat(Enumerable.Repeat("{\"type\":\"array\",\"items\":", 2000)) + "\"int\"" + new string('}', 2000);
        Assert.Throws<AvroSchemaException>(() => AvroSchema.Parse(json));
    }

    [Fact]
    public void FullFormKeepsEveryAttributeAndReparsesToTheSame()
    {
        var json = """{"type":"record","name":"R","namespace":"n","doc":"d","fields":[{"name":"a","type":{"type":"long","logicalType":"timestamp-millis"},"doc":"x","default":5,"order":"descending","aliases":["old"],"custom":1},{"name":"b","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}},{"name":"c","type":"E"},{"name":"d","type":{"type":"fixed","name":"F","namespace":"other","size":3}}],"connect.name":"n.R","aliases":["Q"]}""";
        var schema = AvroSchema.Parse(json);
        Assert.Equal(json, schema.ToString());
        Assert.Equal(json, AvroSchema.Parse(schema.ToString()).ToString());
    }
}
