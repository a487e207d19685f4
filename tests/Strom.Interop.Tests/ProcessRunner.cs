using System.Diagnostics;
using System.Text;

namespace Strom.Interop.Tests;

public sealed record ProcessResult(string CommandLine, int ExitCode, bool TimedOut, string Stdout, string Stderr)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    public override string ToString() =>
        $"`{CommandLine}` {(TimedOut ? "timed out and was killed" : $"exited with {ExitCode}")}\n" +
        $"--- stdout ---\n{Stdout.TrimEnd()}\n--- stderr ---\n{Stderr.TrimEnd()}";
}

/// <summary>Runs a child process to completion or kills it (with its children) at the timeout.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        var commandLine = string.Join(' ', info.ArgumentList.Prepend(fileName));

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            return new ProcessResult(commandLine, -1, false, "", $"cannot start {fileName}: {e.Message}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        // The parameterless wait also drains the redirected streams.
        process.WaitForExit();
        return new ProcessResult(commandLine, timedOut ? -1 : process.ExitCode, timedOut, Read(stdout), Read(stderr));
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
