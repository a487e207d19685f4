using System.CommandLine;
using Strom.Cli.Commands;

namespace Strom.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, CliContext.FromConsole());

    /// <summary>Runs the <c>strom</c> command line with the given streams (tests pass string buffers).</summary>
    public static async Task<int> RunAsync(string[] args, CliContext io, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Strom: an event streaming platform that speaks the Kafka protocol");
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(TopicCommand.Create(io));
        root.Subcommands.Add(ProduceCommand.Create(io));
        root.Subcommands.Add(ConsumeCommand.Create(io));
        root.Subcommands.Add(GroupCommand.Create(io));
        root.Subcommands.Add(BenchCommand.Create(io));
        root.Subcommands.Add(SchemaCommand.Create(io));
        var invocation = new InvocationConfiguration { Output = io.Out, Error = io.Error };
        return await root.Parse(args).InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
