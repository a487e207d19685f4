namespace Strom.Avro.Tests;

/// <summary>
/// Pairs of (old, new) schemas with whether each direction resolves, drawn from the specification's
/// resolution rules; every compatibility level is checked against each row.
/// </summary>
public class CompatibilityMatrixTests
{
    private static string Rec(string fields, string name = "R", string extra = "") =>
        $$"""{"type":"record","name":"{{name}}"{{extra}},"fields":[{{fields}}]}""";

    private static string EnumOf(string symbols, string extra = "") => $$"""{"type":"enum","name":"E","symbols":[{{symbols}}]{{extra}}}""";

    public static TheoryData<string, string, string, bool, bool> Matrix => new()
    {
        // name, old, new, backward (new reads old), forward (old reads new)
        { "add field with default", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"a","type":"int"},{"name":"b","type":"string","default":""}"""), true, true },
        { "add field without default", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"a","type":"int"},{"name":"b","type":"string"}"""), false, true },
        { "remove field without default", Rec("""{"name":"a","type":"int"},{"name":"b","type":"string"}"""), Rec("""{"name":"a","type":"int"}"""), true, false },
        { "remove field with default", Rec("""{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}"""), Rec("""{"name":"a","type":"int"}"""), true, true },
        { "change a default", Rec("""{"name":"a","type":"int","default":1}"""), Rec("""{"name":"a","type":"int","default":2}"""), true, true },
        { "int to long", "\"int\"", "\"long\"", true, false },
        { "long to int", "\"long\"", "\"int\"", false, true },
        { "int to float", "\"int\"", "\"float\"", true, false },
        { "long to double", "\"long\"", "\"double\"", true, false },
        { "float to double", "\"float\"", "\"double\"", true, false },
        { "double to float", "\"double\"", "\"float\"", false, true },
        { "string to bytes", "\"string\"", "\"bytes\"", true, true },
        { "int to string", "\"int\"", "\"string\"", false, false },
        { "boolean to int", "\"boolean\"", "\"int\"", false, false },
        { "field int to long", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"a","type":"long"}"""), true, false },
        { "field int to string", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"a","type":"string"}"""), false, false },
        { "enum adds symbol", EnumOf("\"A\",\"B\""), EnumOf("\"A\",\"B\",\"C\""), true, false },
        { "enum removes symbol", EnumOf("\"A\",\"B\",\"C\""), EnumOf("\"A\",\"B\""), false, true },
        { "enum adds symbol, both with defaults", EnumOf("\"A\",\"B\"", ",\"default\":\"A\""), EnumOf("\"A\",\"B\",\"C\"", ",\"default\":\"A\""), true, true },
        { "enum reordered", EnumOf("\"A\",\"B\""), EnumOf("\"B\",\"A\""), true, true },
        { "record renamed", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"a","type":"int"}""", "S"), false, false },
        { "record renamed with alias", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"a","type":"int"}""", "S", ",\"aliases\":[\"R\"]"), true, false },
        { "record namespace changed", Rec("""{"name":"a","type":"int"}""", "x.R"), Rec("""{"name":"a","type":"int"}""", "y.R"), true, true },
        { "field renamed", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"b","type":"int"}"""), false, false },
        { "field renamed with alias", Rec("""{"name":"a","type":"int"}"""), Rec("""{"name":"b","type":"int","aliases":["a"]}"""), true, false },
        { "type becomes nullable union", "\"int\"", "[\"null\",\"int\"]", true, false },
        { "union loses nullability", "[\"null\",\"int\"]", "\"int\"", false, true },
        { "union gains branch", "[\"null\",\"int\"]", "[\"null\",\"int\",\"string\"]", true, false },
        { "union reordered", "[\"null\",\"int\"]", "[\"int\",\"null\"]", true, true },
        { "union branch promoted", "[\"null\",\"int\"]", "[\"null\",\"long\"]", true, false },
        { "fixed size changed", """{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"F","size":8}""", false, false },
        { "fixed renamed", """{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"G","size":4}""", false, false },
        { "array items promoted", """{"type":"array","items":"int"}""", """{"type":"array","items":"long"}""", true, false },
        { "map values promoted", """{"type":"map","values":"float"}""", """{"type":"map","values":"double"}""", true, false },
        { "array to map", """{"type":"array","items":"int"}""", """{"type":"map","values":"int"}""", false, false },
        { "nested record gains required field", Rec("""{"name":"xs","type":{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"p","type":"int"}]}}}"""),
            Rec("""{"name":"xs","type":{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"p","type":"int"},{"name":"q","type":"int"}]}}}"""), false, true },
        { "recursive list unchanged", Rec("""{"name":"v","type":"int"},{"name":"next","type":["null","R"]}"""), Rec("""{"name":"v","type":"int"},{"name":"next","type":["null","R"]}"""), true, true },
        { "recursive list gains optional field", Rec("""{"name":"v","type":"int"},{"name":"next","type":["null","R"]}"""),
            Rec("""{"name":"v","type":"int"},{"name":"next","type":["null","R"]},{"name":"w","type":["null","string"],"default":null}"""), true, true },
        { "logical type added", "\"long\"", """{"type":"long","logicalType":"timestamp-millis"}""", true, true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void EveryLevel(string name, string oldJson, string newJson, bool backward, bool forward)
    {
        var oldSchema = AvroSchema.Parse(oldJson);
        var newSchema = AvroSchema.Parse(newJson);
        Assert.True(backward == SchemaCompatibility.CanRead(newSchema, oldSchema), $"{name}: backward should be {backward}");
        Assert.True(forward == SchemaCompatibility.CanRead(oldSchema, newSchema), $"{name}: forward should be {forward}");
        foreach (var level in Enum.GetValues<CompatibilityLevel>())
        {
            var expected = level switch
            {
                CompatibilityLevel.None => true,
                CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive => backward,
                CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive => forward,
                _ => backward && forward,
            };
            var failure = CompatibilityLevels.Check(level, newSchema, [oldSchema]);
            Assert.True(expected == (failure is null), $"{name}: {level} should be {(expected ? "compatible" : "incompatible")}");
        }
    }

    [Fact]
    public void TransitiveLevelsCheckEveryEarlierVersion()
    {
        // v1 -> v2 drops b; v3 brings b back as an int: fine against v2, unreadable for v1's string data.
        var v1 = AvroSchema.Parse(Rec("""{"name":"a","type":"int"},{"name":"b","type":"string"}"""));
        var v2 = AvroSchema.Parse(Rec("""{"name":"a","type":"int"}"""));
        var v3 = AvroSchema.Parse(Rec("""{"name":"a","type":"int"},{"name":"b","type":"int","default":0}"""));
        Assert.Null(CompatibilityLevels.Check(CompatibilityLevel.Backward, v3, [v1, v2]));
        var failure = CompatibilityLevels.Check(CompatibilityLevel.BackwardTransitive, v3, [v1, v2]);
        Assert.NotNull(failure);
        Assert.Equal(0, failure.PreviousIndex);
        Assert.Contains("TYPE_MISMATCH", failure.Messages[0], StringComparison.Ordinal);
        Assert.NotNull(CompatibilityLevels.Check(CompatibilityLevel.FullTransitive, v3, [v1, v2]));
        Assert.Null(CompatibilityLevels.Check(CompatibilityLevel.Forward, v3, [v1, v2]));
        Assert.NotNull(CompatibilityLevels.Check(CompatibilityLevel.ForwardTransitive, v3, [v1, v2]));
    }

    [Fact]
    public void MessagesNameTheErrorTypePathAndField()
    {
        var oldSchema = AvroSchema.Parse(Rec("""{"name":"a","type":"int"}"""));
        var newSchema = AvroSchema.Parse(Rec("""{"name":"a","type":"int"},{"name":"b","type":"string"}"""));
        var problems = SchemaCompatibility.Check(newSchema, oldSchema);
        var problem = Assert.Single(problems);
        Assert.Equal(IncompatibilityKind.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/1", problem.Path);
        Assert.Equal(
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}",
            problem.ToConfluentString("new", "old"));

        var enumProblem = Assert.Single(SchemaCompatibility.Check(AvroSchema.Parse(EnumOf("\"A\"")), AvroSchema.Parse(EnumOf("\"A\",\"B\",\"C\""))));
        Assert.Equal(IncompatibilityKind.MissingEnumSymbols, enumProblem.Kind);
        Assert.Equal("[B, C]", enumProblem.Detail);

        var unionProblem = Assert.Single(SchemaCompatibility.Check(AvroSchema.Parse("[\"null\",\"int\"]"), AvroSchema.Parse("\"string\"")));
        Assert.Equal(IncompatibilityKind.MissingUnionBranch, unionProblem.Kind);
    }
}
