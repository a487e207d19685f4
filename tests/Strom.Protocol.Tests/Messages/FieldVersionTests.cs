using System.Text.Json;
using Strom.Protocol.Messages;

namespace Strom.Protocol.Tests.Messages;

/// <summary>
/// Checks version gating against the JSON definitions rather than against the generated code
/// itself: a top-level field changes the written bytes exactly in the versions it exists in.
/// (A plain round trip cannot see a field that the writer and reader both skip.)
/// </summary>
public class FieldVersionTests
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static string DefinitionsDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strom.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "kafka-protocol", "clients"));
            }
        }
        throw new DirectoryNotFoundException("Repository root not found.");
    }

    public static TheoryData<string> Definitions()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(DefinitionsDir(), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Top_level_fields_are_written_exactly_in_their_versions(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(DefinitionsDir(), file)), Options);
        var root = json.RootElement;
        var type = typeof(IKafkaMessage).Assembly.GetType("Strom.Protocol.Messages." + root.GetProperty("name").GetString())!;
        Assert.NotNull(type);
        var (low, high) = Range(root.GetProperty("validVersions").GetString()!);
        var defaults = Activator.CreateInstance(type)!;
        for (var version = low; version <= high; version++)
        {
            var full = MessageCodec.Write((IKafkaMessage)SampleFiller.Create(type), version);
            foreach (var field in root.GetProperty("fields").EnumerateArray())
            {
                var name = field.GetProperty("name").GetString()!;
                var versions = field.TryGetProperty("versions", out var v) ? v.GetString()! : field.GetProperty("taggedVersions").GetString()!;
                var (from, to) = Range(versions);
                var property = type.GetProperty(name)!;
                var sample = (IKafkaMessage)SampleFiller.Create(type);
                property.SetValue(sample, property.GetValue(defaults));
                var changed = !MessageCodec.Write(sample, version).AsSpan().SequenceEqual(full);
                Assert.True(changed == (version >= from && version <= to), $"{name} at v{version}: bytes changed = {changed}");
            }
        }
    }

    private static (short Low, short High) Range(string text)
    {
        if (text == "none")
        {
            return (1, 0);
        }
        if (text.EndsWith('+'))
        {
            return (short.Parse(text[..^1]), short.MaxValue);
        }
        var parts = text.Split('-');
        return (short.Parse(parts[0]), short.Parse(parts[^1]));
    }

    [Fact]
    public void Generated_files_are_committed_for_every_definition()
    {
        Assert.Equal(Directory.GetFiles(DefinitionsDir(), "*.json").Length, MessageCodec.AllMessageTypes().Count(t => t.Namespace == typeof(ProduceRequest).Namespace));
    }
}
