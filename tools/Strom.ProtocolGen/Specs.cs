using System.Globalization;
using System.Text.Json;

namespace Strom.ProtocolGen;

/// <summary>A version range from the JSON: "3", "3+", "0-7" or "none".</summary>
internal readonly record struct Versions(short Lowest, short Highest)
{
    public static readonly Versions None = new(1, 0);
    public static readonly Versions All = new(0, short.MaxValue);

    public bool IsEmpty => Lowest > Highest;

    public static Versions Parse(string? text, Versions fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        text = text.Trim();
        if (text == "none")
        {
            return None;
        }
        if (text.EndsWith('+'))
        {
            return new(short.Parse(text[..^1], CultureInfo.InvariantCulture), short.MaxValue);
        }
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return new(short.Parse(text[..dash], CultureInfo.InvariantCulture), short.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture));
        }
        var single = short.Parse(text, CultureInfo.InvariantCulture);
        return new(single, single);
    }

    public Versions Intersect(Versions other) =>
        new(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));

    public bool Contains(Versions other) => other.IsEmpty || (Lowest <= other.Lowest && Highest >= other.Highest);

    /// <summary>A C# condition on <c>version</c> that is true inside this range, given the reachable versions.</summary>
    public string Condition(Versions reachable)
    {
        var range = Intersect(reachable);
        if (range.IsEmpty)
        {
            return "false";
        }
        var low = range.Lowest > reachable.Lowest;
        var high = range.Highest < reachable.Highest;
        if (low && high)
        {
            return range.Lowest == range.Highest ? $"version == {range.Lowest}" : $"version >= {range.Lowest} && version <= {range.Highest}";
        }
        return low ? $"version >= {range.Lowest}" : high ? $"version <= {range.Highest}" : "true";
    }
}

internal enum Kind
{
    Int8,
    Int16,
    Int32,
    Int64,
    UInt16,
    UInt32,
    Float64,
    Bool,
    Uuid,
    String,
    Bytes,
    Records,
    Struct,
    Array,
}

/// <summary>A field type: a primitive, a struct name, or an array of either.</summary>
internal sealed record FieldType(Kind Kind, string? StructName = null, FieldType? Element = null)
{
    public static FieldType Parse(string text)
    {
        if (text.StartsWith("[]", StringComparison.Ordinal))
        {
            return new FieldType(Kind.Array, Element: Parse(text[2..]));
        }
        return text switch
        {
            "int8" => new(Kind.Int8),
            "int16" => new(Kind.Int16),
            "int32" => new(Kind.Int32),
            "int64" => new(Kind.Int64),
            "uint16" => new(Kind.UInt16),
            "uint32" => new(Kind.UInt32),
            "float64" => new(Kind.Float64),
            "bool" => new(Kind.Bool),
            "uuid" => new(Kind.Uuid),
            "string" => new(Kind.String),
            "bytes" => new(Kind.Bytes),
            "records" => new(Kind.Records),
            _ when char.IsUpper(text[0]) => new(Kind.Struct, StructName: text),
            _ => throw new InvalidDataException($"Unknown field type '{text}'."),
        };
    }

    public bool IsFixedSize => Kind is Kind.Int8 or Kind.Int16 or Kind.Int32 or Kind.Int64 or Kind.UInt16
        or Kind.UInt32 or Kind.Float64 or Kind.Bool or Kind.Uuid;

    public int FixedSize => Kind switch
    {
        Kind.Int8 or Kind.Bool => 1,
        Kind.Int16 or Kind.UInt16 => 2,
        Kind.Int32 or Kind.UInt32 => 4,
        Kind.Int64 or Kind.Float64 => 8,
        Kind.Uuid => 16,
        _ => throw new InvalidOperationException(),
    };
}

internal sealed class FieldSpec
{
    public required string Name { get; init; }
    public required FieldType Type { get; init; }
    public required Versions Versions { get; init; }
    public required Versions NullableVersions { get; init; }
    public required Versions TaggedVersions { get; init; }
    public int? Tag { get; init; }
    public Versions? FlexibleVersions { get; init; }
    public JsonElement? Default { get; init; }
    public StructSpec? InlineStruct { get; init; }

    public bool IsTagged => Tag is not null;

    public bool IsNullable => !NullableVersions.Intersect(Versions).IsEmpty;

    public static FieldSpec Parse(JsonElement json, Versions parent)
    {
        var name = json.GetProperty("name").GetString()!;
        var type = FieldType.Parse(json.GetProperty("type").GetString()!);
        var tagged = Versions.Parse(Str(json, "taggedVersions"), Versions.None);
        // A tagged field with no "versions" exists exactly where it is tagged.
        var versions = Versions.Parse(Str(json, "versions"), tagged).Intersect(parent);
        StructSpec? inline = null;
        if (json.TryGetProperty("fields", out var fields))
        {
            var structType = type.Kind == Kind.Array ? type.Element! : type;
            inline = StructSpec.Parse(structType.StructName!, fields, versions);
        }
        return new FieldSpec
        {
            Name = name,
            Type = type,
            Versions = versions,
            NullableVersions = Versions.Parse(Str(json, "nullableVersions"), Versions.None),
            TaggedVersions = tagged,
            Tag = json.TryGetProperty("tag", out var tag) ? (tag.ValueKind == JsonValueKind.String ? int.Parse(tag.GetString()!, CultureInfo.InvariantCulture) : tag.GetInt32()) : null,
            FlexibleVersions = Str(json, "flexibleVersions") is { } flexible ? Versions.Parse(flexible, Versions.None) : null,
            Default = json.TryGetProperty("default", out var def) ? def.Clone() : null,
            InlineStruct = inline,
        };
    }

    private static string? Str(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

internal sealed class StructSpec
{
    public required string Name { get; init; }
    public required Versions Versions { get; init; }
    public required List<FieldSpec> Fields { get; init; }

    /// <summary>The C# class name; differs from <see cref="Name"/> only to avoid a clash with a member.</summary>
    public string ClassName { get; set; } = "";

    public static StructSpec Parse(string name, JsonElement fields, Versions versions)
    {
        var list = new List<FieldSpec>();
        foreach (var field in fields.EnumerateArray())
        {
            list.Add(FieldSpec.Parse(field, versions));
        }
        return new StructSpec { Name = name, Versions = versions, Fields = list, ClassName = name };
    }
}

internal sealed class MessageSpec
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public short? ApiKey { get; init; }
    public required Versions ValidVersions { get; init; }
    public required Versions FlexibleVersions { get; init; }
    public required StructSpec Root { get; init; }
    public required List<StructSpec> CommonStructs { get; init; }
    public required List<string> Listeners { get; init; }
    public bool LatestVersionUnstable { get; init; }

    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static MessageSpec Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), Options);
        var json = document.RootElement;
        var valid = Versions.Parse(json.GetProperty("validVersions").GetString(), Versions.None);
        var common = new List<StructSpec>();
        if (json.TryGetProperty("commonStructs", out var structs))
        {
            foreach (var s in structs.EnumerateArray())
            {
                var versions = Versions.Parse(s.TryGetProperty("versions", out var v) ? v.GetString() : null, Versions.All).Intersect(valid);
                common.Add(StructSpec.Parse(s.GetProperty("name").GetString()!, s.GetProperty("fields"), versions));
            }
        }
        var listeners = new List<string>();
        if (json.TryGetProperty("listeners", out var l))
        {
            foreach (var item in l.EnumerateArray())
            {
                listeners.Add(item.GetString()!);
            }
        }
        var name = json.GetProperty("name").GetString()!;
        return new MessageSpec
        {
            Name = name,
            Type = json.GetProperty("type").GetString()!,
            ApiKey = json.TryGetProperty("apiKey", out var key) ? (key.ValueKind == JsonValueKind.String ? short.Parse(key.GetString()!, CultureInfo.InvariantCulture) : key.GetInt16()) : null,
            ValidVersions = valid,
            FlexibleVersions = Versions.Parse(json.GetProperty("flexibleVersions").GetString(), Versions.None),
            Root = StructSpec.Parse(name, json.GetProperty("fields"), valid),
            CommonStructs = common,
            Listeners = listeners,
            LatestVersionUnstable = json.TryGetProperty("latestVersionUnstable", out var u) && u.GetBoolean(),
        };
    }
}
