using System.Diagnostics;
using System.Text;

namespace Strom.Interop.Tests;

/// <summary>
/// A client process that runs alongside the test: its output lines are collected as they come,
/// its standard input stays open until <see cref="CloseInputAsync"/> (the scripts' stop signal),
/// and <see cref="Kill"/> sends SIGKILL. Disposing kills it if it still runs.
/// </summary>
public sealed class LiveProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();

    private LiveProcess(Process process) => _process = process;

    public string CommandLine { get; private init; } = "";

    public static LiveProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? ClientScript.ClientsDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        var process = new Process { StartInfo = info };
        var live = new LiveProcess(process) { CommandLine = string.Join(' ', info.ArgumentList.Prepend(fileName)) };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (live._lines)
                {
                    live._lines.Add(line);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (live._stderr)
                {
                    live._stderr.AppendLine(line);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return live;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>A copy of the standard output lines so far.</summary>
    public List<string> Lines()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the output so far, or fails the test.</summary>
    public async Task WaitForAsync(Func<List<string>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Lines()))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"{CommandLine} exited before {what}:\n{Describe()}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{CommandLine}: no {what} within {timeout}:\n{Describe()}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: no chance to commit, leave the group or flush anything.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>Waits for the exit and the end of its output (after <see cref="Kill"/>).</summary>
    public void WaitForExit() => _process.WaitForExit();

    /// <summary>Waits for the process to exit by itself with status 0, or fails the test.</summary>
    public async Task WaitForSuccessAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{CommandLine} did not finish within {timeout}:\n{Describe()}");
        }
        _process.WaitForExit();
        Assert.True(_process.ExitCode == 0, $"{CommandLine} exited with {_process.ExitCode}:\n{Describe()}");
    }

    /// <summary>Writes one line to its standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes standard input and waits for a clean exit, or fails the test.</summary>
    public async Task CloseInputAsync(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{CommandLine} did not stop within {timeout}:\n{Describe()}");
        }
        _process.WaitForExit();
        Assert.True(_process.ExitCode == 0, $"{CommandLine} exited with {_process.ExitCode}:\n{Describe()}");
    }

    public string Describe()
    {
        var lines = Lines();
        string stderr;
        lock (_stderr)
        {
            stderr = _stderr.ToString();
        }
        return $"--- stdout (last 20 of {lines.Count} lines) ---\n{string.Join('\n', lines.TakeLast(20))}\n--- stderr ---\n{stderr.TrimEnd()}";
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
