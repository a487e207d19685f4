using System.Text.Json;
using Strom.SchemaRegistry.Schemas.Json;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// The official JSON-Schema-Test-Suite (Debian's json-schema-test-suite package) for drafts 4, 6
/// and 7: every required file, the optional files that apply, and the format files of the formats
/// Strom asserts (with format assertion on). One test case per file; a failure names every case
/// that failed. Remote $refs (http://localhost:1234/...) resolve to the suite's remotes/ folder
/// passed as references.
/// </summary>
public sealed class JsonSchemaTestSuiteTests
{
    private const string Suite = "/usr/share/json-schema-test-suite";
    private const string Missing = "(json-schema-test-suite is not installed: apt-get install -y json-schema-test-suite; test.sh does)";

    private static readonly string[] OptionalFiles = ["bignum.json", "ecmascript-regex.json", "non-bmp-regex.json", "zeroTerminatedFloats.json"];

    /// <summary>Cases Strom does not support, as "file|group|test" with the reason. Keep this short.</summary>
    private static readonly Dictionary<string, string> Skipped = new(StringComparer.Ordinal)
    {
    };

    private static readonly Lazy<(string Name, JsonElement Schema)[]> Remotes = new(() =>
        [.. Directory.EnumerateFiles(Path.Combine(Suite, "remotes"), "*.json", SearchOption.AllDirectories)
            .Select(f => ("http://localhost:1234/" + Path.GetRelativePath(Path.Combine(Suite, "remotes"), f).Replace('\\', '/'), Load(f)))]);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (!Directory.Exists(Path.Combine(Suite, "tests")))
        {
            data.Add(Missing);
            return data;
        }
        foreach (var draft in new[] { "draft4", "draft6", "draft7" })
        {
            var folder = Path.Combine(Suite, "tests", draft);
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                data.Add($"{draft}/{Path.GetFileName(file)}");
            }
            foreach (var file in OptionalFiles.Where(f => System.IO.File.Exists(Path.Combine(folder, "optional", f))))
            {
                data.Add($"{draft}/optional/{file}");
            }
            if (System.IO.File.Exists(Path.Combine(folder, "optional", "format.json")))
            {
                data.Add($"{draft}/optional/format.json");
            }
            if (Directory.Exists(Path.Combine(folder, "optional", "format")))
            {
                foreach (var format in JsonSchemaFormats.Known.Where(f => System.IO.File.Exists(Path.Combine(folder, "optional", "format", f + ".json"))).Order(StringComparer.Ordinal))
                {
                    data.Add($"{draft}/optional/format/{format}.json");
                }
            }
        }
        return data;
    }

    [Fact]
    public void SuiteIsInstalled() => Assert.True(Directory.Exists(Path.Combine(Suite, "tests", "draft7")), Missing);

    [Theory]
    [MemberData(nameof(Files))]
    public void SuiteFile(string file)
    {
        Assert.False(file == Missing, Missing);
        var draft = file[..file.IndexOf('/')] switch
        {
            "draft4" => JsonSchemaDraft.Draft4,
            "draft6" => JsonSchemaDraft.Draft6,
            _ => JsonSchemaDraft.Draft7,
        };
        var isFormat = file.Contains("/format", StringComparison.Ordinal);
        // The optional files test format assertion (ecmascript-regex.json through "format": "regex").
        var options = new JsonSchemaValidationOptions { AssertFormat = file.Contains("/optional/", StringComparison.Ordinal) };
        var failures = new List<string>();
        var run = 0;
        foreach (var group in Load(Path.Combine(Suite, "tests", file)).EnumerateArray())
        {
            var schema = group.GetProperty("schema");
            // format.json of drafts 4 and 6 mixes formats: only those Strom asserts are checked.
            if (isFormat && schema.TryGetProperty("format", out var format) && !JsonSchemaFormats.Known.Contains(format.GetString()!))
            {
                continue;
            }
            var document = new JsonSchemaDocument(schema, Remotes.Value, draft);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                var name = $"{file}|{group.GetProperty("description").GetString()}|{test.GetProperty("description").GetString()}";
                if (Skipped.ContainsKey(name))
                {
                    continue;
                }
                run++;
                var expected = test.GetProperty("valid").GetBoolean();
                var data = test.GetProperty("data");
                try
                {
                    var valid = JsonSchemaValidator.IsValid(document, data, options);
                    var errors = JsonSchemaValidator.Validate(document, data, options);
                    if (valid != expected || (errors.Count == 0) != expected)
                    {
                        failures.Add($"{name}: expected {(expected ? "valid" : "invalid")}, IsValid={valid}, errors=[{string.Join("; ", errors)}]");
                    }
                }
                catch (Exception e)
                {
                    failures.Add($"{name}: threw {e.GetType().Name}: {e.Message}");
                }
            }
        }
        Assert.True(run > 0, $"{file} has no case to run");
        Assert.True(failures.Count == 0, $"{failures.Count} of {run} cases failed:\n" + string.Join("\n", failures));
    }

    private static JsonElement Load(string path)
    {
        using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        return document.RootElement.Clone();
    }
}
