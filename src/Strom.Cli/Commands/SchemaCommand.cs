using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Strom.SchemaRegistry.Client;
using Strom.SchemaRegistry.Storage;

namespace Strom.Cli.Commands;

/// <summary><c>strom schema register|get|list|check|delete|config</c>: the Schema Registry's REST API from the command line.</summary>
public static class SchemaCommand
{
    public const string DefaultRegistryUrl = "http://127.0.0.1:8081";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(CliContext io)
    {
        var command = new Command("schema", "Register, read, list, check, delete and configure schemas in a Schema Registry");
        command.Subcommands.Add(RegisterCommand(io));
        command.Subcommands.Add(GetCommand(io));
        command.Subcommands.Add(ListCommand(io));
        command.Subcommands.Add(CheckCommand(io));
        command.Subcommands.Add(DeleteCommand(io));
        command.Subcommands.Add(ConfigCommand(io));
        return command;
    }

    private static Option<string> UrlOption() => new("--registry-url", "-u")
    {
        Description = $"The Schema Registry's base URL (default: {DefaultRegistryUrl})",
        DefaultValueFactory = _ => DefaultRegistryUrl,
    };

    private static Argument<string> SubjectArgument() => new("subject") { Description = "Subject name, e.g. orders-value" };

    private sealed record SchemaInput(Option<string?> Text, Option<FileInfo?> File, Option<string> Type, Option<string[]> References)
    {
        public static SchemaInput Create() => new(
            new Option<string?>("--schema", "-s") { Description = "The schema text" },
            new Option<FileInfo?>("--schema-file", "-f") { Description = "A file holding the schema (.avsc, .json, .proto)" },
            new Option<string>("--type", "-t") { Description = "AVRO, JSON or PROTOBUF (default: from the file extension, else AVRO)", DefaultValueFactory = _ => "" },
            new Option<string[]>("--reference", "-r") { Description = "A referenced schema: -r name=subject:version (repeatable)" });

        public void AddTo(Command command)
        {
            command.Options.Add(Text);
            command.Options.Add(File);
            command.Options.Add(Type);
            command.Options.Add(References);
        }

        public async Task<(string Schema, string Type, List<SchemaReference> References)> ReadAsync(ParseResult parse, CancellationToken ct)
        {
            var text = parse.GetValue(Text);
            var file = parse.GetValue(File);
            if ((text is null) == (file is null))
            {
                throw new UsageException("give the schema with exactly one of --schema or --schema-file");
            }
            var schema = text ?? await System.IO.File.ReadAllTextAsync(file!.FullName, ct).ConfigureAwait(false);
            var type = parse.GetValue(Type) is { Length: > 0 } t ? t.ToUpperInvariant()
                : file?.Extension.ToLowerInvariant() switch { ".proto" => "PROTOBUF", ".json" => "JSON", _ => "AVRO" };
            if (type is not ("AVRO" or "JSON" or "PROTOBUF"))
            {
                throw new UsageException($"--type must be AVRO, JSON or PROTOBUF, got '{type}'");
            }
            var references = new List<SchemaReference>();
            foreach (var (name, target) in ClientCommandSupport.ParsePairs(parse.GetValue(References), "--reference"))
            {
                var colon = target.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(target[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
                {
                    throw new UsageException($"--reference expects name=subject:version, got '{name}={target}'");
                }
                references.Add(new SchemaReference { Name = name, Subject = target[..colon], Version = version });
            }
            return (schema, type, references);
        }
    }

    private static Command RegisterCommand(CliContext io)
    {
        var (url, subject, input) = (UrlOption(), SubjectArgument(), SchemaInput.Create());
        var normalize = new Option<bool>("--normalize") { Description = "Register the normalized form" };
        var command = new Command("register", "Register a schema under a subject (prints its id; the same id if already there)") { subject, url, normalize };
        input.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(io, parse, url, async client =>
        {
            var (schema, type, references) = await input.ReadAsync(parse, ct);
            var id = await client.RegisterAsync(parse.GetValue(subject)!, schema, type, references, parse.GetValue(normalize), ct);
            await io.Out.WriteLineAsync(id.ToString(CultureInfo.InvariantCulture));
            return 0;
        }));
        return command;
    }

    private static Command GetCommand(CliContext io)
    {
        var url = UrlOption();
        var subject = new Argument<string?>("subject") { Description = "Subject name (or use --id)", Arity = ArgumentArity.ZeroOrOne };
        var version = new Option<string>("--version", "-v") { Description = "Version number or latest (default: latest)", DefaultValueFactory = _ => "latest" };
        var id = new Option<int?>("--id") { Description = "Get the schema with this global id instead" };
        var json = new Option<bool>("--json") { Description = "Print the registry's whole answer (subject, version, id, type, references) as JSON" };
        var command = new Command("get", "Print a schema: a subject's version, or the schema with an id") { subject, version, id, json, url };
        command.SetAction((parse, ct) => RunAsync(io, parse, url, async client =>
        {
            object answer;
            string text;
            if (parse.GetValue(id) is { } schemaId)
            {
                var byId = await client.GetSchemaByIdAsync(schemaId, ct);
                (answer, text) = (byId, byId.Schema);
            }
            else
            {
                var name = parse.GetValue(subject) ?? throw new UsageException("give a subject or --id");
                var found = await client.GetVersionAsync(name, parse.GetValue(version)!, ct);
                (answer, text) = (found, found.Schema);
            }
            await io.Out.WriteLineAsync(parse.GetValue(json) ? JsonSerializer.Serialize(answer, answer.GetType(), Indented) : text);
            return 0;
        }));
        return command;
    }

    private static Command ListCommand(CliContext io)
    {
        var url = UrlOption();
        var subject = new Argument<string?>("subject") { Description = "List this subject's versions instead of the subjects", Arity = ArgumentArity.ZeroOrOne };
        var deleted = new Option<bool>("--deleted") { Description = "Include soft-deleted subjects" };
        var command = new Command("list", "List subjects, or the versions of one subject") { subject, deleted, url };
        command.SetAction((parse, ct) => RunAsync(io, parse, url, async client =>
        {
            IEnumerable<string> lines = parse.GetValue(subject) is { } name
                ? (await client.GetVersionsAsync(name, ct)).Select(v => v.ToString(CultureInfo.InvariantCulture))
                : await client.GetSubjectsAsync(parse.GetValue(deleted), ct);
            foreach (var line in lines)
            {
                await io.Out.WriteLineAsync(line);
            }
            return 0;
        }));
        return command;
    }

    private static Command CheckCommand(CliContext io)
    {
        var (url, subject, input) = (UrlOption(), SubjectArgument(), SchemaInput.Create());
        var version = new Option<string?>("--version", "-v") { Description = "Check against this version only (default: the versions the subject's compatibility level looks at)" };
        var command = new Command("check", "Check a schema's compatibility with a subject without registering it (exit 1 when incompatible)") { subject, version, url };
        input.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(io, parse, url, async client =>
        {
            var (schema, type, references) = await input.ReadAsync(parse, ct);
            var result = await client.TestCompatibilityAsync(parse.GetValue(subject)!, schema, type, parse.GetValue(version), references, verbose: true, ct);
            await io.Out.WriteLineAsync(result.IsCompatible ? "compatible" : "incompatible");
            foreach (var message in result.IsCompatible ? [] : result.Messages ?? [])
            {
                await io.Out.WriteLineAsync("  " + message);
            }
            return result.IsCompatible ? 0 : 1;
        }));
        return command;
    }

    private static Command DeleteCommand(CliContext io)
    {
        var (url, subject) = (UrlOption(), SubjectArgument());
        var version = new Option<string?>("--version", "-v") { Description = "Delete only this version (a number or latest)" };
        var permanent = new Option<bool>("--permanent") { Description = "Delete for good (after a soft delete)" };
        var command = new Command("delete", "Delete a subject or one of its versions (soft, or --permanent)") { subject, version, permanent, url };
        command.SetAction((parse, ct) => RunAsync(io, parse, url, async client =>
        {
            var name = parse.GetValue(subject)!;
            var deleted = parse.GetValue(version) is { } v
                ? [await client.DeleteVersionAsync(name, v, parse.GetValue(permanent), ct)]
                : await client.DeleteSubjectAsync(name, parse.GetValue(permanent), ct);
            await io.Out.WriteLineAsync($"Deleted {(parse.GetValue(permanent) ? "permanently " : "")}{name} version(s) {string.Join(", ", deleted)}.");
            return 0;
        }));
        return command;
    }

    private static Command ConfigCommand(CliContext io)
    {
        var url = UrlOption();
        var subject = new Argument<string?>("subject") { Description = "The subject (default: the global config)", Arity = ArgumentArity.ZeroOrOne };
        var set = new Option<string?>("--set") { Description = "Set the compatibility level: NONE, BACKWARD, FORWARD, FULL (or _TRANSITIVE)" };
        var command = new Command("config", "Show or set a compatibility level, globally or for a subject") { subject, set, url };
        command.SetAction((parse, ct) => RunAsync(io, parse, url, async client =>
        {
            var name = parse.GetValue(subject);
            var level = parse.GetValue(set) is { } wanted
                ? await client.SetCompatibilityAsync(name, wanted.ToUpperInvariant(), ct)
                : await client.GetCompatibilityAsync(name, ct);
            await io.Out.WriteLineAsync(level);
            return 0;
        }));
        return command;
    }

    /// <summary>Runs an action with a registry client; a registry error becomes one line on stderr and exit code 1.</summary>
    private static Task<int> RunAsync(CliContext io, ParseResult parse, Option<string> url, Func<SchemaRegistryClient, Task<int>> action) =>
        ClientCommandSupport.RunAsync(io, null, async () =>
        {
            var address = parse.GetValue(url) ?? DefaultRegistryUrl;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--registry-url must be an http(s) URL, got '{address}'");
            }
            using var client = new SchemaRegistryClient(address, TimeSpan.FromSeconds(15));
            try
            {
                return await action(client);
            }
            catch (SchemaRegistryClientException e)
            {
                await io.Error.WriteLineAsync($"strom: {e.Message.ReplaceLineEndings(" ")} (error {e.ErrorCode})");
                return 1;
            }
        });
}
