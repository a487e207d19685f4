namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>A parsed .proto file: what the compatibility rules and the message-index wire format need.</summary>
public sealed class ProtoFile
{
    public string Syntax { get; set; } = "proto2";
    public string Package { get; set; } = "";
    public List<string> Imports { get; } = [];
    public List<ProtoMessage> Messages { get; } = [];
    public List<ProtoEnum> Enums { get; } = [];

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

    public IEnumerable<ProtoMessage> SelfAndNested() => Nested.SelectMany(n => n.SelfAndNested()).Prepend(this);
}

/// <summary>A field. <see cref="Label"/> is optional, repeated, required or null (proto3 singular); <see cref="Type"/> as written.</summary>
public sealed record ProtoField(string Name, int Number, string? Label, string Type, string? OneOf)
{
    /// <summary>Resolved full name of a message or enum type (no leading dot), null for scalars and maps.</summary>
    public string? ResolvedType { get; set; }

    /// <summary>For map&lt;K, V&gt;: the key and value types (value resolved like <see cref="ResolvedType"/>).</summary>
    public (string Key, string Value, string? ResolvedValue)? Map { get; set; }
}

public sealed class ProtoEnum(string name, string fullName)
{
    public string Name { get; } = name;
    public string FullName { get; } = fullName;
    public List<(string Name, int Number)> Values { get; } = [];
}
