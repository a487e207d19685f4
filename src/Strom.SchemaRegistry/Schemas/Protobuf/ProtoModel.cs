namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>A parsed .proto file: what the compatibility rules and the message-index wire format need.</summary>
public sealed class ProtoFile
{
    public string Syntax { get; set; } = "proto2";
    public string Package { get; set; } = "";
    public List<string> Imports { get; } = [];

    /// <summary>Imports declared <c>import public</c> / <c>import weak</c> (subsets of <see cref="Imports"/>).</summary>
    public HashSet<string> PublicImports { get; } = new(StringComparer.Ordinal);
    public HashSet<string> WeakImports { get; } = new(StringComparer.Ordinal);
    public List<ProtoOption> Options { get; } = [];
    public List<ProtoMessage> Messages { get; } = [];
    public List<ProtoEnum> Enums { get; } = [];
    public List<ProtoService> Services { get; } = [];

    /// <summary>The message-index path of a message (Confluent's wire format): its position at each nesting level.</summary>
    public IReadOnlyList<int>? IndexesOf(string fullName)
    {
        var path = new List<int>();
        return Find(Messages, fullName.TrimStart('.'), path) ? path : null;

        static bool Find(List<ProtoMessage> messages, string name, List<int> path)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                path.Add(i);
                if (messages[i].FullName == name || Find(messages[i].Nested, name, path))
                {
                    return true;
                }
                path.RemoveAt(path.Count - 1);
            }
            return false;
        }
    }

    /// <summary>The message at a message-index path, or null when the path leads nowhere.</summary>
    public ProtoMessage? MessageAt(IReadOnlyList<int> indexes)
    {
        var level = Messages;
        ProtoMessage? found = null;
        foreach (var index in indexes)
        {
            if (index < 0 || index >= level.Count)
            {
                return null;
            }
            found = level[index];
            level = found.Nested;
        }
        return found;
    }

    public IEnumerable<ProtoMessage> AllMessages() => Messages.SelectMany(m => m.SelfAndNested());

    public IEnumerable<ProtoEnum> AllEnums() => Enums.Concat(AllMessages().SelectMany(m => m.Enums));
}

public sealed class ProtoMessage(string name, string fullName)
{
    public string Name { get; } = name;

    /// <summary>Package-qualified, without a leading dot: pkg.Outer.Inner.</summary>
    public string FullName { get; } = fullName;
    public List<ProtoField> Fields { get; } = [];
    public List<ProtoMessage> Nested { get; } = [];
    public List<ProtoEnum> Enums { get; } = [];

    /// <summary>The oneofs in declaration order (fields name theirs in <see cref="ProtoField.OneOf"/>).</summary>
    public List<string> OneOfs { get; } = [];
    public List<ProtoRange> ReservedRanges { get; } = [];
    public List<string> ReservedNames { get; } = [];
    public List<ProtoRange> ExtensionRanges { get; } = [];
    public List<ProtoOption> Options { get; } = [];

    public IEnumerable<ProtoMessage> SelfAndNested() => Nested.SelectMany(n => n.SelfAndNested()).Prepend(this);
}

/// <summary>A field. <see cref="Label"/> is optional, repeated, required or null (proto3 singular); <see cref="Type"/> as written.</summary>
public sealed record ProtoField(string Name, int Number, string? Label, string Type, string? OneOf)
{
    /// <summary>Resolved full name of a message or enum type (no leading dot), null for scalars and maps.</summary>
    public string? ResolvedType { get; set; }

    /// <summary>For map&lt;K, V&gt;: the key and value types (value resolved like <see cref="ResolvedType"/>).</summary>
    public (string Key, string Value, string? ResolvedValue)? Map { get; set; }

    /// <summary>For a map: how many nested messages were declared before it (where protoc puts its entry type).</summary>
    public int NestedBefore { get; set; }

    /// <summary>A proto2 group: <see cref="Type"/> names the nested message declared with it.</summary>
    public bool IsGroup { get; set; }

    /// <summary>The options in brackets after the field number, in order (default, json_name, packed...).</summary>
    public List<ProtoOption> Options { get; init; } = [];
}

public sealed class ProtoEnum(string name, string fullName)
{
    public string Name { get; } = name;
    public string FullName { get; } = fullName;
    public List<(string Name, int Number)> Values { get; } = [];

    /// <summary>Options of individual values (by value name), in order.</summary>
    public Dictionary<string, List<ProtoOption>> ValueOptions { get; } = new(StringComparer.Ordinal);
    public List<ProtoRange> ReservedRanges { get; } = [];
    public List<string> ReservedNames { get; } = [];
    public List<ProtoOption> Options { get; } = [];
}

/// <summary>
/// An option as written: <see cref="Name"/> like <c>java_package</c> or <c>(my.ext).field</c>;
/// <see cref="Value"/> the literal as written (a quoted string keeps its quotes and escapes, an
/// aggregate keeps its braces).
/// </summary>
public sealed record ProtoOption(string Name, string Value);

/// <summary>An inclusive range of field (or enum value) numbers, as written in reserved and extensions.</summary>
public sealed record ProtoRange(int Start, int End);

public sealed class ProtoService(string name)
{
    public string Name { get; } = name;
    public List<ProtoMethod> Methods { get; } = [];
    public List<ProtoOption> Options { get; } = [];
}

/// <summary>An rpc; input and output types as written.</summary>
public sealed record ProtoMethod(string Name, string InputType, string OutputType, bool ClientStreaming, bool ServerStreaming)
{
    public List<ProtoOption> Options { get; init; } = [];
}
