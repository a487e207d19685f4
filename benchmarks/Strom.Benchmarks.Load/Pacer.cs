using System.Diagnostics;

namespace Strom.Benchmarks.Load;

/// <summary>
/// Spreads sends evenly over time at a fixed rate: each call says how many sends are due now.
/// Sleeps in 1 ms steps rather than spinning, so the generator does not eat a core the broker
/// needs; at 10,000 msg/s that sends ~10 records per millisecond tick.
/// </summary>
internal sealed class Pacer(double ratePerSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _issued;

    /// <summary>Blocks until at least one send is due; returns how many are due.</summary>
    public long WaitForDue()
    {
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            var due = (long)(elapsed * ratePerSecond) - _issued;
            if (due > 0)
            {
                _issued += due;
                return due;
            }
            Thread.Sleep(1);
        }
    }
}
