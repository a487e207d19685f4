using System.CommandLine;
using Strom.Cli.Commands;

namespace Strom.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Strom: an event streaming platform that speaks the Kafka protocol");
        root.Subcommands.Add(ServerCommand.Create());
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
