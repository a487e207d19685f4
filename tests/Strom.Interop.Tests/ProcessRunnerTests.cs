namespace Strom.Interop.Tests;

public class ProcessRunnerTests
{
    [Fact]
    public async Task CapturesOutputAndExitCode()
    {
        var result = await ProcessRunner.RunAsync("bash", ["-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(30));

        Assert.False(result.Succeeded);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out", result.Stdout.Trim());
        Assert.Equal("err", result.Stderr.Trim());
    }

    [Fact]
    public async Task KillsAProcessThatOverrunsItsTimeout()
    {
        var result = await ProcessRunner.RunAsync("bash", ["-c", "echo started; exec sleep 600"], TimeSpan.FromSeconds(1));

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.Contains("started", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("timed out", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportsAMissingProgramAsAFailure()
    {
        var result = await ProcessRunner.RunAsync("/nonexistent/program", [], TimeSpan.FromSeconds(5));

        Assert.False(result.Succeeded);
        Assert.Contains("cannot start", result.Stderr, StringComparison.Ordinal);
    }
}
