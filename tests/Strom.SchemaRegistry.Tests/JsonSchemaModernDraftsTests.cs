using System.Diagnostics;
using System.Text.Json;
using Strom.SchemaRegistry.Schemas.Json;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// Drafts 2019-09 and 2020-12, which Debian's test suite lacks: Strom's own corpus
/// (JsonSchema/modern-drafts.json, the suite's file format plus a "draft" per group). Every case
/// must match our validator, and python3-jsonschema (an independent implementation, run through
/// JsonSchema/check_corpus.py) must agree with every expected value, so the corpus is not just
/// our own reading of the specification.
/// </summary>
public sealed class JsonSchemaModernDraftsTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "JsonSchema");
    private static readonly string Corpus = Path.Combine(Folder, "modern-drafts.json");

    public static TheoryData<string> Groups()
    {
        var data = new TheoryData<string>();
        foreach (var group in Load().EnumerateArray())
        {
            data.Add($"{group.GetProperty("draft").GetString()}: {group.GetProperty("description").GetString()}");
        }
        return data;
    }

    [Fact]
    public void CorpusIsLargeAndCoversBothDrafts()
    {
        var groups = Load().EnumerateArray().ToList();
        var cases = groups.Sum(g => g.GetProperty("tests").GetArrayLength());
        Assert.True(cases >= 100, $"only {cases} cases");
        Assert.Contains(groups, g => g.GetProperty("draft").GetString() == "2019-09");
        Assert.Contains(groups, g => g.GetProperty("draft").GetString() == "2020-12");
        foreach (var keyword in new[] { "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef", "prefixItems", "minContains", "maxContains",
            "dependentRequired", "dependentSchemas", "$anchor", "$defs", "const", "enum", "propertyNames", "if" })
        {
            Assert.Contains(groups, g => g.GetProperty("schema").GetRawText().Contains($"\"{keyword}\"", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Group(string name)
    {
        var group = Load().EnumerateArray().Single(g => $"{g.GetProperty("draft").GetString()}: {g.GetProperty("description").GetString()}" == name);
        var document = new JsonSchemaDocument(group.GetProperty("schema"));
        Assert.Equal(group.GetProperty("draft").GetString() == "2019-09" ? JsonSchemaDraft.Draft201909 : JsonSchemaDraft.Draft202012, document.Draft);
        Assert.Empty(JsonSchemaValidator.CheckSchema(document));
        var failures = new List<string>();
        foreach (var test in group.GetProperty("tests").EnumerateArray())
        {
            var expected = test.GetProperty("valid").GetBoolean();
            var data = test.GetProperty("data");
            var valid = JsonSchemaValidator.IsValid(document, data);
            var errors = JsonSchemaValidator.Validate(document, data);
            if (valid != expected || (errors.Count == 0) != expected)
            {
                failures.Add($"{test.GetProperty("description").GetString()}: expected {(expected ? "valid" : "invalid")}, IsValid={valid}, errors=[{string.Join("; ", errors)}]");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task PythonJsonschemaAgreesWithEveryExpectedValue()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing");
        var (exitCode, output, error) = await ExternalProcess.RunAsync("/usr/bin/python3", [Path.Combine(Folder, "check_corpus.py"), Corpus], timeoutSeconds: 120);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var mismatches = lines.Where(l => !l.StartsWith("ok\t", StringComparison.Ordinal)).ToList();
        Assert.True(exitCode == 0 && mismatches.Count == 0, $"exit {exitCode}: {string.Join("\n", mismatches)}\n{error}");
        var cases = Load().EnumerateArray().Sum(g => g.GetProperty("tests").GetArrayLength());
        Assert.Equal(cases, lines.Length);
    }

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Corpus));
        return document.RootElement.Clone();
    }
}
