namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>
/// Confluent Schema Registry's Protobuf compatibility: the differences from an original schema to
/// an updated one, by field number (the wire identity), each of a kind that is either safe or not.
/// Safe: package changes, added/removed messages' siblings, added/removed enums and constants,
/// added or removed optional fields, renamed fields, numeric label changes, new oneofs. Not safe:
/// a removed message, a field's kind (scalar/message/map), scalar wire group or named type
/// changing, a string/bytes field becoming repeated or back, required fields added or removed,
/// a field removed from a oneof, several fields (or one and an existing oneof member) moved into
/// one oneof. BACKWARD diffs the previous schema (original) against the new one (update);
/// FORWARD the reverse.
/// </summary>
internal sealed class ProtoCompatibility
{
    private readonly ProtoSchema _original;
    private readonly ProtoSchema _update;
    private readonly List<(string Type, string Path)> _incompatible = [];
    private readonly HashSet<(string, string)> _visiting = [];
    private readonly List<string> _path = [];

    private ProtoCompatibility(ProtoSchema original, ProtoSchema update)
    {
        _original = original;
        _update = update;
    }

    /// <summary>The incompatible differences (type name, #/path), empty when <paramref name="update"/> can read data of <paramref name="original"/>.</summary>
    public static IReadOnlyList<(string Type, string Path)> Check(ProtoSchema original, ProtoSchema update)
    {
        var diff = new ProtoCompatibility(original, update);
        diff.CompareMessages(original.File.Messages, update.File.Messages);
        return diff._incompatible.Distinct().ToList();
    }

    public static string Describe(string type) => type switch
    {
        "MESSAGE_REMOVED" => "The message in the old schema is missing in the new schema",
        "FIELD_KIND_CHANGED" => "The kind (scalar, message or map) of a field changed",
        "FIELD_SCALAR_KIND_CHANGED" => "The kind of a SCALAR field in the new schema does not match its kind in the old schema",
        "FIELD_NAMED_TYPE_CHANGED" => "The type of a MESSAGE field in the new schema does not match its type in the old schema",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED" => "A string or bytes field changed between singular and repeated",
        "REQUIRED_FIELD_ADDED" => "A required field was added",
        "REQUIRED_FIELD_REMOVED" => "A required field was removed",
        "ONEOF_FIELD_REMOVED" => "A field was removed from a oneof",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF" => "Multiple fields in the old schema were moved into one oneof in the new schema",
        "FIELD_MOVED_TO_EXISTING_ONEOF" => "A field was moved into a oneof that already had fields",
        _ => type,
    };

    private void Add(string type, string? last = null) =>
        _incompatible.Add((type, "#/" + string.Join('/', last is null ? _path : _path.Append(last))));

    private void CompareMessages(List<ProtoMessage> original, List<ProtoMessage> update)
    {
        var updated = update.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var message in original)
        {
            _path.Add(message.Name);
            if (updated.TryGetValue(message.Name, out var match))
            {
                CompareMessage(message, match);
            }
            else
            {
                Add("MESSAGE_REMOVED");
            }
            _path.RemoveAt(_path.Count - 1);
        }
    }

    private void CompareMessage(ProtoMessage original, ProtoMessage update)
    {
        if (!_visiting.Add((original.FullName, update.FullName)))
        {
            return;
        }
        CompareMessages(original.Nested, update.Nested);
        var originalByNumber = original.Fields.ToDictionary(f => f.Number);
        var updateByNumber = update.Fields.ToDictionary(f => f.Number);

        // Fields that were outside any oneof and are now in one: one such field alone is safe
        // (a oneof of one behaves like the field); several, or one joining existing members, are not.
        foreach (var oneOf in update.Fields.Where(f => f.OneOf is not null).GroupBy(f => f.OneOf!))
        {
            var groups = new HashSet<string>(StringComparer.Ordinal);
            var movedIn = 0;
            foreach (var field in oneOf)
            {
                if (!originalByNumber.TryGetValue(field.Number, out var before))
                {
                    continue;
                }
                if (before.OneOf is null)
                {
                    movedIn++;
                    groups.Add("field:" + field.Number);
                }
                else
                {
                    groups.Add("oneof:" + before.OneOf);
                }
            }
            if (groups.Count > 1)
            {
                Add(movedIn > 1 ? "MULTIPLE_FIELDS_MOVED_TO_ONEOF" : "FIELD_MOVED_TO_EXISTING_ONEOF", oneOf.Key);
            }
        }

        foreach (var number in originalByNumber.Keys.Union(updateByNumber.Keys).Order())
        {
            var before = originalByNumber.GetValueOrDefault(number);
            var after = updateByNumber.GetValueOrDefault(number);
            _path.Add(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (after is null)
            {
                if (before!.Label == "required")
                {
                    Add("REQUIRED_FIELD_REMOVED");
                }
                else if (before.OneOf is not null)
                {
                    Add("ONEOF_FIELD_REMOVED");
                }
            }
            else if (before is null)
            {
                if (after.Label == "required")
                {
                    Add("REQUIRED_FIELD_ADDED");
                }
            }
            else
            {
                CompareField(before, after);
            }
            _path.RemoveAt(_path.Count - 1);
        }
        _visiting.Remove((original.FullName, update.FullName));
    }

    private void CompareField(ProtoField before, ProtoField after)
    {
        var beforeKind = Kind(before, _original);
        var afterKind = Kind(after, _update);
        if (beforeKind != afterKind)
        {
            Add("FIELD_KIND_CHANGED");
            return;
        }
        switch (beforeKind)
        {
            case "SCALAR":
                CompareScalar(before.Label, after.Label, before.ResolvedType ?? before.Type, after.ResolvedType ?? after.Type);
                break;
            case "MESSAGE":
                CompareNamed(before.ResolvedType!, after.ResolvedType!);
                break;
            default:
                var (beforeKey, beforeValue, beforeResolved) = before.Map!.Value;
                var (afterKey, afterValue, afterResolved) = after.Map!.Value;
                CompareScalar(null, null, beforeKey, afterKey);
                var beforeValueKind = beforeResolved is null || _original.IsEnum(beforeResolved) ? "SCALAR" : "MESSAGE";
                var afterValueKind = afterResolved is null || _update.IsEnum(afterResolved) ? "SCALAR" : "MESSAGE";
                if (beforeValueKind != afterValueKind)
                {
                    Add("FIELD_KIND_CHANGED");
                }
                else if (beforeValueKind == "SCALAR")
                {
                    CompareScalar(null, null, beforeResolved ?? beforeValue, afterResolved ?? afterValue);
                }
                else
                {
                    CompareNamed(beforeResolved!, afterResolved!);
                }
                break;
        }
    }

    private void CompareScalar(string? beforeLabel, string? afterLabel, string beforeType, string afterType)
    {
        var beforeGroup = ScalarGroup(beforeType, _original);
        var afterGroup = ScalarGroup(afterType, _update);
        if (beforeGroup != afterGroup)
        {
            Add("FIELD_SCALAR_KIND_CHANGED");
        }
        else if (beforeLabel is not null && afterLabel is not null && beforeLabel != afterLabel && beforeGroup == "STRING_OR_BYTES")
        {
            Add("FIELD_STRING_OR_BYTES_LABEL_CHANGED");
        }
    }

    private void CompareNamed(string beforeType, string afterType)
    {
        if (LocalName(beforeType, _original) != LocalName(afterType, _update))
        {
            Add("FIELD_NAMED_TYPE_CHANGED");
            return;
        }
        if (_original.FindMessage(beforeType) is { } before && _update.FindMessage(afterType) is { } after)
        {
            var count = _incompatible.Count;
            var saved = _path.ToList();
            _path.Clear();
            _path.Add(LocalName(beforeType, _original));
            CompareMessage(before, after);
            _path.Clear();
            _path.AddRange(saved);
            if (_incompatible.Count > count)
            {
                Add("FIELD_NAMED_TYPE_CHANGED");
            }
        }
    }

    private static string LocalName(string fullName, ProtoSchema schema) =>
        schema.File.Package.Length > 0 && fullName.StartsWith(schema.File.Package + ".", StringComparison.Ordinal)
            ? fullName[(schema.File.Package.Length + 1)..]
            : fullName;

    private static string Kind(ProtoField field, ProtoSchema schema) =>
        field.Map is not null ? "MAP"
        : field.ResolvedType is null || schema.IsEnum(field.ResolvedType) ? "SCALAR"
        : "MESSAGE";

    /// <summary>Scalar types that share a wire encoding, so one reads the other's bytes (protobuf's "updating a message type").</summary>
    private static string ScalarGroup(string type, ProtoSchema schema) => type switch
    {
        "int32" or "int64" or "uint32" or "uint64" or "bool" => "GENERAL_NUMBER",
        "sint32" or "sint64" => "SIGNED_NUMBER",
        "string" or "bytes" => "STRING_OR_BYTES",
        "fixed32" or "sfixed32" => "FIXED32",
        "fixed64" or "sfixed64" => "FIXED64",
        "float" => "FLOAT",
        "double" => "DOUBLE",
        _ when schema.IsEnum(type) => "GENERAL_NUMBER",
        _ => type,
    };
}
