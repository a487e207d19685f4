namespace Strom.Avro;

/// <summary>
/// Compatibility levels as Confluent Schema Registry defines them. BACKWARD: the new schema reads
/// data written with the latest one. FORWARD: the latest reads data written with the new one.
/// FULL: both. The _TRANSITIVE forms check against every earlier version, not just the latest.
/// </summary>
public enum CompatibilityLevel
{
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// <summary>The outcome of checking a proposed schema against one earlier schema.</summary>
public sealed record CompatibilityFailure(int PreviousIndex, IReadOnlyList<string> Messages);

public static class CompatibilityLevels
{
    public static string ToConfluentName(this CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        _ => "FULL_TRANSITIVE",
    };

    public static bool TryParse(string? name, out CompatibilityLevel level)
    {
        level = name?.ToUpperInvariant() switch
        {
            "NONE" => CompatibilityLevel.None,
            "BACKWARD" => CompatibilityLevel.Backward,
            "BACKWARD_TRANSITIVE" => CompatibilityLevel.BackwardTransitive,
            "FORWARD" => CompatibilityLevel.Forward,
            "FORWARD_TRANSITIVE" => CompatibilityLevel.ForwardTransitive,
            "FULL" => CompatibilityLevel.Full,
            "FULL_TRANSITIVE" => CompatibilityLevel.FullTransitive,
            _ => (CompatibilityLevel)(-1),
        };
        return (int)level >= 0;
    }

    public static bool IsTransitive(this CompatibilityLevel level) =>
        level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;

    /// <summary>
    /// Checks <paramref name="proposed"/> against <paramref name="previous"/> (oldest first) for any
    /// schema kind. <paramref name="canRead"/> returns the problems a reader has with a writer's
    /// data, phrased with the given reader and writer labels ("new", "old"). Newest first, the first
    /// failing schema is reported; null means compatible.
    /// </summary>
    public static CompatibilityFailure? Check<T>(CompatibilityLevel level, T proposed, IReadOnlyList<T> previous,
        Func<T, T, string, string, IReadOnlyList<string>> canRead)
    {
        if (level == CompatibilityLevel.None || previous.Count == 0)
        {
            return null;
        }
        var backward = level is CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        var forward = level is CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        var stop = level.IsTransitive() ? 0 : previous.Count - 1;
        for (var i = previous.Count - 1; i >= stop; i--)
        {
            var messages = new List<string>();
            if (backward)
            {
                messages.AddRange(canRead(proposed, previous[i], "new", "old"));
            }
            if (forward)
            {
                messages.AddRange(canRead(previous[i], proposed, "old", "new"));
            }
            if (messages.Count > 0)
            {
                return new CompatibilityFailure(i, messages);
            }
        }
        return null;
    }

    /// <summary>The Avro form of <see cref="Check{T}"/>.</summary>
    public static CompatibilityFailure? Check(CompatibilityLevel level, Schema proposed, IReadOnlyList<Schema> previous) =>
        Check(level, proposed, previous, static (reader, writer, readerLabel, writerLabel) =>
            SchemaCompatibility.Check(reader, writer).Select(i => i.ToConfluentString(readerLabel, writerLabel)).ToList());
}
