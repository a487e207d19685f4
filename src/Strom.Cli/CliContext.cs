namespace Strom.Cli;

/// <summary>Where a command reads and writes: the console in the real binary, string buffers in tests.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, TextReader In, bool Interactive)
{
    public static CliContext FromConsole() =>
        new(Console.Out, Console.Error, Console.In, !Console.IsErrorRedirected && !Console.IsOutputRedirected);
}
