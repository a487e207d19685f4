namespace Strom.ProtocolGen;

/// <summary>
/// C# names for the JSON's structs. Every struct becomes a class nested directly in its
/// message class (names are unique per message). C# forbids a nested type and a member with
/// the same name, so a struct that clashes with a property gets the suffix "Data".
/// </summary>
internal static class Naming
{
    /// <summary>Names the generated code itself uses inside message and struct classes.</summary>
    private static readonly HashSet<string> Reserved =
    [
        "LowestVersion", "HighestVersion", "LowestFlexibleVersion", "RecordType", "TryRead", "TryReadBody",
        "Write", "HasOnlyDefaults", "UnknownTaggedFields", "ProtocolReader", "ProtocolWriter", "TaggedFields",
        "ScratchBuffer", "RawTaggedField", "Uuid", "List", "SequenceReader", "ReadOnlyMemory", "String",
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone",
    ];

    public static Dictionary<string, StructSpec> AssignClassNames(MessageSpec message)
    {
        var structs = new Dictionary<string, StructSpec>(StringComparer.Ordinal);
        Collect(message.Root, structs);
        foreach (var common in message.CommonStructs)
        {
            if (!structs.TryAdd(common.Name, common))
            {
                throw new InvalidDataException($"{message.Name}: struct {common.Name} is defined twice.");
            }
            Collect(common, structs);
        }

        var rootMembers = new HashSet<string>(StringComparer.Ordinal) { message.Name, "Key", "ApiKey" };
        foreach (var field in message.Root.Fields)
        {
            CheckName(message.Name, field.Name);
            rootMembers.Add(field.Name);
        }
        foreach (var spec in structs.Values)
        {
            var clashes = rootMembers.Contains(spec.Name) || spec.Fields.Exists(f => f.Name == spec.Name);
            spec.ClassName = clashes ? spec.Name + "Data" : spec.Name;
            if (rootMembers.Contains(spec.ClassName) || structs.ContainsKey(spec.ClassName) && clashes
                || spec.Fields.Exists(f => f.Name == spec.ClassName))
            {
                throw new InvalidDataException($"{message.Name}: cannot name the class for struct {spec.Name}.");
            }
            foreach (var field in spec.Fields)
            {
                CheckName(spec.Name, field.Name);
            }
        }
        return structs;
    }

    private static void CheckName(string owner, string field)
    {
        if (Reserved.Contains(field))
        {
            throw new InvalidDataException($"{owner}.{field} clashes with a generated member.");
        }
    }

    private static void Collect(StructSpec parent, Dictionary<string, StructSpec> structs)
    {
        foreach (var field in parent.Fields)
        {
            if (field.InlineStruct is { } inline)
            {
                if (!structs.TryAdd(inline.Name, inline))
                {
                    throw new InvalidDataException($"Struct {inline.Name} is defined twice.");
                }
                Collect(inline, structs);
            }
        }
    }
}
