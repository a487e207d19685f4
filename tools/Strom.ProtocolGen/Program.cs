using System.Text;
using Strom.ProtocolGen;

// Generates src/Strom.Protocol/Messages/**/*.Generated.cs from Kafka's JSON message definitions.
// Usage: dotnet run --project tools/Strom.ProtocolGen [-- <definitions dir> [<output dir>]]
// Defaults: ../shared/kafka-protocol and src/Strom.Protocol/Messages, relative to the repository root.
var root = FindRepositoryRoot();
var input = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(root, "..", "shared", "kafka-protocol"));
var output = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(root, "src", "Strom.Protocol", "Messages"));
if (!Directory.Exists(Path.Combine(input, "clients")))
{
    Console.Error.WriteLine($"No message definitions at {input} (expected a clients/ folder).");
    return 1;
}

(string Folder, string SubFolder, string Namespace)[] groups =
[
    ("clients", "", "Strom.Protocol.Messages"),
    ("group-coordinator", "GroupCoordinator", "Strom.Protocol.Messages.GroupCoordinator"),
    ("transaction-coordinator", "TransactionCoordinator", "Strom.Protocol.Messages.TransactionCoordinator"),
    ("metadata", "Metadata", "Strom.Protocol.Messages.Metadata"),
    ("raft", "Raft", "Strom.Protocol.Messages.Raft"),
];

var written = new HashSet<string>(StringComparer.Ordinal);
var changed = 0;
var requests = new List<MessageSpec>();
var responses = new Dictionary<short, MessageSpec>();

foreach (var (folder, subFolder, ns) in groups)
{
    var dir = Path.Combine(input, folder);
    if (!Directory.Exists(dir))
    {
        continue;
    }
    var files = Directory.GetFiles(dir, "*.json");
    Array.Sort(files, StringComparer.Ordinal);
    foreach (var file in files)
    {
        MessageSpec spec;
        string code;
        try
        {
            spec = MessageSpec.Load(file);
            code = MessageEmitter.Emit(spec, ns);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or FormatException)
        {
            Console.Error.WriteLine($"{file}: {e.Message}");
            return 1;
        }
        if (spec.Type == "request")
        {
            requests.Add(spec);
        }
        else if (spec.Type == "response")
        {
            responses[spec.ApiKey!.Value] = spec;
        }
        changed += Emit(Path.Combine(output, subFolder, spec.Name + ".Generated.cs"), code);
    }
}

requests.Sort((a, b) => a.ApiKey!.Value.CompareTo(b.ApiKey!.Value));
changed += Emit(Path.Combine(output, "ApiKey.Generated.cs"), ApiEmitter.EmitApiKey(requests));
changed += Emit(Path.Combine(output, "ApiMessages.Generated.cs"), ApiEmitter.EmitApiMessages(requests, responses));

var deleted = 0;
if (Directory.Exists(output))
{
    foreach (var stale in Directory.GetFiles(output, "*.Generated.cs", SearchOption.AllDirectories))
    {
        if (!written.Contains(Path.GetFullPath(stale)))
        {
            File.Delete(stale);
            deleted++;
        }
    }
}

Console.WriteLine($"{written.Count} files in {output}: {changed} written, {written.Count - changed} unchanged, {deleted} stale deleted.");
return 0;

int Emit(string path, string content)
{
    path = Path.GetFullPath(path);
    written.Add(path);
    var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content);
    if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
    {
        return 0;
    }
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    File.WriteAllBytes(path, bytes);
    return 1;
}

static string FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strom.slnx")))
            {
                return dir.FullName;
            }
        }
    }
    throw new InvalidOperationException("Run from inside the repository (no Strom.slnx found above the current directory).");
}
