namespace Strom.Benchmarks.Groups;

/// <summary>--name value pairs from the command line.</summary>
internal sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        foreach (var arg in args)
        {
            if (name is null)
            {
                name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : throw new ArgumentException($"expected --name, got {arg}");
            }
            else
            {
                values[name] = arg;
                name = null;
            }
        }
        return new Options(values);
    }

    public int Int(string name, int defaultValue) => values.TryGetValue(name, out var v) ? int.Parse(v) : defaultValue;
}
