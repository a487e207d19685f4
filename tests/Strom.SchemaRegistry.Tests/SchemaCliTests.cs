using Strom.Cli;

namespace Strom.SchemaRegistry.Tests;

/// <summary><c>strom schema ...</c> run in-process against a registry listener, with string buffers for the console.</summary>
public sealed class SchemaCliTests : IAsyncLifetime
{
    private RegistryServer _server = null!;

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.RunAsync([.. args, "--registry-url", _server.Host.Addresses[0].ToString()],
            new CliContext(output, error, new StringReader(""), Interactive: false));
        return (exit, output.ToString().Trim(), error.ToString().Trim());
    }

    [Fact]
    public async Task RegisterGetListCheckConfigDelete()
    {
        var file = Path.Combine(Path.GetTempPath(), $"strom-{Guid.NewGuid():N}.avsc");
        await File.WriteAllTextAsync(file, """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        try
        {
            Assert.Equal((0, "1", ""), await RunAsync("schema", "register", "r-value", "--schema-file", file));
            Assert.Equal((0, "1", ""), await RunAsync("schema", "register", "r-value", "--schema-file", file));
            Assert.Equal((0, "2", ""), await RunAsync("schema", "register", "p-value", "--type", "protobuf", "--schema", "syntax = \"proto3\"; message M { int32 a = 1; }"));

            Assert.Equal((0, "p-value\nr-value", ""), await RunAsync("schema", "list"));
            Assert.Equal((0, "1", ""), await RunAsync("schema", "list", "r-value"));
            Assert.Equal("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", (await RunAsync("schema", "get", "r-value")).Out);
            Assert.Contains("\"schemaType\": \"PROTOBUF\"", (await RunAsync("schema", "get", "--id", "2", "--json")).Out);

            var compatible = await RunAsync("schema", "check", "r-value", "--schema", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}""");
            Assert.Equal((0, "compatible"), (compatible.Exit, compatible.Out));
            var incompatible = await RunAsync("schema", "check", "r-value", "--schema", """{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}""");
            Assert.Equal(1, incompatible.Exit);
            Assert.StartsWith("incompatible", incompatible.Out, StringComparison.Ordinal);
            Assert.Contains("READER_FIELD_MISSING_DEFAULT_VALUE", incompatible.Out, StringComparison.Ordinal);

            Assert.Equal((0, "BACKWARD", ""), await RunAsync("schema", "config"));
            Assert.Equal((0, "FULL", ""), await RunAsync("schema", "config", "r-value", "--set", "full"));
            Assert.Equal((0, "FULL", ""), await RunAsync("schema", "config", "r-value"));

            Assert.Equal(0, (await RunAsync("schema", "delete", "r-value")).Exit);
            Assert.Equal(0, (await RunAsync("schema", "delete", "r-value", "--permanent")).Exit);
            Assert.Equal((0, "p-value", ""), await RunAsync("schema", "list"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ErrorsAreOneLineWithTheRegistryErrorCode()
    {
        var missing = await RunAsync("schema", "get", "nope");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("(error 40401)", missing.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', missing.Error);

        var invalid = await RunAsync("schema", "register", "x", "--schema", "{\"type\":\"nope\"}");
        Assert.Equal(1, invalid.Exit);
        Assert.Contains("(error 42201)", invalid.Error, StringComparison.Ordinal);

        var usage = await RunAsync("schema", "register", "x");
        Assert.Equal(1, usage.Exit);
        Assert.Contains("exactly one of --schema or --schema-file", usage.Error, StringComparison.Ordinal);

        var output = new StringWriter();
        var error = new StringWriter();
        var unreachable = await Program.RunAsync(["schema", "list", "--registry-url", "http://127.0.0.1:1"], new CliContext(output, error, new StringReader(""), false));
        Assert.Equal(1, unreachable);
        Assert.Contains("unreachable", error.ToString(), StringComparison.Ordinal);
    }
}
