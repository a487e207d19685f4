namespace Strom.Interop.Tests;

/// <summary>
/// The real-client scripts in tests/clients. Each runs a phase (produce or verify) of the shared
/// data set against a bootstrap address. A client that is not installed fails the test with
/// the command that installs it; test.sh installs them all.
/// </summary>
public sealed record ClientScript(string Name, string Program, string[] Arguments, string[] CheckCommand, string InstallHint)
{
    public const string SystemPython = "/usr/bin/python3";

    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(3);

    public static readonly ClientScript KafkaPython = new(
        "kafka-python", SystemPython, [Path.Combine(ClientsDirectory, "kafka_python_client.py")],
        [SystemPython, "-c", "import kafka, snappy, lz4.frame, zstandard; assert kafka.__version__ == '2.0.2', kafka.__version__"],
        "apt-get install -y python3-kafka python3-snappy python3-lz4 python3-zstandard (Debian's packages are visible to /usr/bin/python3 only)");

    public static readonly ClientScript ConfluentKafkaPython = new(
        "confluent-kafka-python", SystemPython, [Path.Combine(ClientsDirectory, "confluent_kafka_client.py")],
        [SystemPython, "-c", "import confluent_kafka; print(confluent_kafka.version(), confluent_kafka.libversion())"],
        "apt-get install -y python3-confluent-kafka librdkafka1");

    public static readonly ClientScript Kcat = new(
        "kcat", "bash", [Path.Combine(ClientsDirectory, "kcat_client.sh")],
        ["kcat", "-V"],
        "apt-get install -y kcat");

    public static readonly ClientScript KafkaJs = new(
        "kafkajs", "node", [Path.Combine(ClientsDirectory, "js", "kafkajs_client.js")],
        ["node", "-e", $"require({System.Text.Json.JsonSerializer.Serialize(Path.Combine(ClientsDirectory, "js", "node_modules", "kafkajs"))})"],
        "npm ci in tests/clients/js (needs Node.js and npm)");

    public static string ClientsDirectory => Path.Combine(Repository.Root, "tests", "clients");

    public async Task EnsureInstalledAsync()
    {
        var check = await ProcessRunner.RunAsync(CheckCommand[0], CheckCommand[1..], TimeSpan.FromMinutes(1));
        if (!check.Succeeded)
        {
            Assert.Fail($"{Name} is not installed: {InstallHint}. ./test.sh installs every client.\n{check}");
        }
    }

    public async Task RunAsync(string phase, string bootstrapServers, string topic)
    {
        var result = await ProcessRunner.RunAsync(
            Program, [.. Arguments, "--bootstrap", bootstrapServers, "--topic", topic, phase], PhaseTimeout, ClientsDirectory);
        if (!result.Succeeded)
        {
            Assert.Fail($"{Name} {phase} failed:\n{result}");
        }
    }
}

public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strom.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Strom.slnx above {AppContext.BaseDirectory}");
    }
}
