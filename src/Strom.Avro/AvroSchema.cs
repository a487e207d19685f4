namespace Strom.Avro;

/// <summary>Entry points for parsing schemas.</summary>
public static class AvroSchema
{
    /// <summary>Parses one self-contained schema.</summary>
    public static Schema Parse(string json) => new SchemaParser().Parse(json);

    /// <summary>
    /// Parses a schema that may refer by name to types defined in <paramref name="references"/>
    /// (parsed first, in order: a Schema Registry reference list, dependencies before dependents).
    /// </summary>
    public static Schema Parse(string json, IEnumerable<string> references, out IReadOnlyCollection<string> referencedNames)
    {
        var parser = new SchemaParser();
        foreach (var reference in references)
        {
            parser.Parse(reference);
        }
        referencedNames = parser.NamedTypes.Keys.ToArray();
        return parser.Parse(json);
    }
}
