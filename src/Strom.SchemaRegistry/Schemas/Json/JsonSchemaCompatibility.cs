using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// Confluent Schema Registry's JSON Schema compatibility: can a reader schema accept every document
/// the writer schema accepts? Differences are named as Confluent names them; only the unsafe ones are
/// reported. Unsafe for a reader: narrower or changed types, added or tightened bounds (length,
/// range, items, properties), added or changed patterns, a narrower enum or const, newly unique
/// items, a closed content model (additionalProperties false) or one whose additional schema got
/// narrower, a property added to an open content model (old data may hold anything under that
/// name) unless its schema is empty or covered by the writer's additional schema, a property
/// removed from a closed content model, a required property added without a default, fewer
/// anyOf/oneOf alternatives or more allOf parts, an added not, and added dependencies.
/// </summary>
internal sealed class JsonSchemaCompatibility
{
    private const int MaxDepth = 128;
    private readonly JsonSchemaDocument _writer;
    private readonly JsonSchemaDocument _reader;
    private readonly List<(string Type, string Path)> _issues = [];
    private readonly HashSet<(string, string)> _refPairs = [];

    private JsonSchemaCompatibility(JsonSchemaDocument writer, JsonSchemaDocument reader)
    {
        _writer = writer;
        _reader = reader;
    }

    public static IReadOnlyList<(string Type, string Path)> Check(JsonSchemaDocument writer, JsonSchemaDocument reader)
    {
        var check = new JsonSchemaCompatibility(writer, reader);
        check.Compare(writer.Root, writer.Root, reader.Root, reader.Root, "#", 0);
        return check._issues.Distinct().ToList();
    }

    private int Compare(JsonElement w, JsonElement wRoot, JsonElement r, JsonElement rRoot, string path, int depth)
    {
        var before = _issues.Count;
        if (depth > MaxDepth)
        {
            return 0;
        }
        // Follow $refs on either side; a pair of refs seen before is assumed compatible (recursion).
        var wRef = Ref(w);
        var rRef = Ref(r);
        if (wRef is not null || rRef is not null)
        {
            if (!_refPairs.Add((wRef + "@" + path, rRef + "@" + path)) && depth > 0)
            {
                return 0;
            }
            if (wRef is not null && _writer.Resolve(wRef, wRoot) is { } wt)
            {
                (w, wRoot) = (wt.Schema, wt.DocumentRoot);
            }
            if (rRef is not null && _reader.Resolve(rRef, rRoot) is { } rt)
            {
                (r, rRoot) = (rt.Schema, rt.DocumentRoot);
            }
            if (Ref(w) is not null || Ref(r) is not null)
            {
                return Compare(w, wRoot, r, rRoot, path, depth + 1);
            }
        }
        if (IsEmpty(r) || w.ValueKind == JsonValueKind.False)
        {
            return 0;
        }
        if (r.ValueKind == JsonValueKind.False)
        {
            Issue("SCHEMA_REMOVED", path);
            return 1;
        }
        if (IsEmpty(w))
        {
            Issue("TYPE_NARROWED", path);
            return 1;
        }

        if (CompareCombined(w, wRoot, r, rRoot, path, depth))
        {
            return _issues.Count - before;
        }

        var wTypes = Types(w);
        var rTypes = Types(r);
        if (!Covers(rTypes, wTypes))
        {
            Issue(wTypes.Overlaps(rTypes) || Covers(wTypes, rTypes) ? "TYPE_NARROWED" : "TYPE_CHANGED", path);
            return _issues.Count - before;
        }

        Bound(w, r, "maxLength", path, upper: true);
        Bound(w, r, "minLength", path, upper: false);
        Bound(w, r, "maximum", path, upper: true);
        Bound(w, r, "minimum", path, upper: false);
        Bound(w, r, "exclusiveMaximum", path, upper: true);
        Bound(w, r, "exclusiveMinimum", path, upper: false);
        Bound(w, r, "maxItems", path, upper: true);
        Bound(w, r, "minItems", path, upper: false);
        Bound(w, r, "maxProperties", path, upper: true);
        Bound(w, r, "minProperties", path, upper: false);
        MultipleOf(w, r, path);
        Pattern(w, r, path);
        Enum(w, r, path);
        if (Flag(r, "uniqueItems") && !Flag(w, "uniqueItems"))
        {
            Issue("UNIQUE_ITEMS_ADDED", path);
        }
        if (r.TryGetProperty("not", out var rNot) && !(w.TryGetProperty("not", out var wNot) && JsonElement.DeepEquals(wNot, rNot)))
        {
            Issue("NOT_TYPE_EXTENDED", path);
        }
        foreach (var keyword in new[] { "dependencies", "dependentRequired", "dependentSchemas" })
        {
            if (r.TryGetProperty(keyword, out var rDeps) && rDeps.ValueKind == JsonValueKind.Object)
            {
                var wHas = w.TryGetProperty(keyword, out var wDeps) && wDeps.ValueKind == JsonValueKind.Object;
                foreach (var dependency in rDeps.EnumerateObject())
                {
                    if (!wHas || !wDeps.TryGetProperty(dependency.Name, out var wDep) || !JsonElement.DeepEquals(wDep, dependency.Value))
                    {
                        Issue("DEPENDENCY_ADDED", $"{path}/{keyword}/{dependency.Name}");
                    }
                }
            }
        }
        CompareObject(w, wRoot, r, rRoot, path, depth);
        CompareArray(w, wRoot, r, rRoot, path, depth);
        return _issues.Count - before;
    }

    /// <summary>allOf/anyOf/oneOf: true when handled here.</summary>
    private bool CompareCombined(JsonElement w, JsonElement wRoot, JsonElement r, JsonElement rRoot, string path, int depth)
    {
        var wKind = CombinedKind(w);
        var rKind = CombinedKind(r);
        if (wKind is null && rKind is null)
        {
            return false;
        }
        var wParts = wKind is null ? [w] : w.GetProperty(wKind).EnumerateArray().ToList();
        var rParts = rKind is null ? [r] : r.GetProperty(rKind).EnumerateArray().ToList();
        if (wKind is not null && rKind is not null && (wKind == "allOf") != (rKind == "allOf"))
        {
            Issue("COMBINED_TYPE_CHANGED", path);
            return true;
        }
        if (rKind == "allOf" || wKind == "allOf")
        {
            // Every reader part must accept what the writer's parts together accept: some writer part must satisfy it.
            foreach (var (rPart, i) in rParts.Select((p, i) => (p, i)))
            {
                if (!wParts.Any(wPart => Quiet(() => Compare(wPart, wRoot, rPart, rRoot, $"{path}/allOf/{i}", depth + 1)) == 0))
                {
                    Issue(rParts.Count > wParts.Count ? "PRODUCT_TYPE_EXTENDED" : "COMBINED_TYPE_SUBSCHEMAS_CHANGED", path);
                    break;
                }
            }
            return true;
        }
        // anyOf/oneOf (or a plain schema): every writer alternative must be accepted by some reader alternative.
        foreach (var (wPart, i) in wParts.Select((p, i) => (p, i)))
        {
            if (!rParts.Any(rPart => Quiet(() => Compare(wPart, wRoot, rPart, rRoot, $"{path}/{rKind ?? wKind}/{i}", depth + 1)) == 0))
            {
                Issue(rParts.Count < wParts.Count ? "SUM_TYPE_NARROWED" : "COMBINED_TYPE_SUBSCHEMAS_CHANGED", path);
                break;
            }
        }
        return true;
    }

    private void CompareObject(JsonElement w, JsonElement wRoot, JsonElement r, JsonElement rRoot, string path, int depth)
    {
        var wProps = Properties(w);
        var rProps = Properties(r);
        var wAdditional = w.TryGetProperty("additionalProperties", out var wa) ? wa : (JsonElement?)null;
        var rAdditional = r.TryGetProperty("additionalProperties", out var ra) ? ra : (JsonElement?)null;
        var wOpen = wAdditional is null || wAdditional.Value.ValueKind == JsonValueKind.True || IsEmpty(wAdditional.Value);
        var rOpen = rAdditional is null || rAdditional.Value.ValueKind == JsonValueKind.True || IsEmpty(rAdditional.Value);
        var wClosed = wAdditional?.ValueKind == JsonValueKind.False;
        var rClosed = rAdditional?.ValueKind == JsonValueKind.False;
        var rRequired = Required(r);
        var wRequired = Required(w);

        foreach (var (name, rSchema) in rProps)
        {
            var at = $"{path}/properties/{name}";
            if (wProps.TryGetValue(name, out var wSchema))
            {
                Compare(wSchema, wRoot, rSchema, rRoot, at, depth + 1);
            }
            else if (wClosed)
            {
                if (rRequired.Contains(name) && !HasDefault(rSchema))
                {
                    Issue("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", at);
                }
            }
            else if (wOpen)
            {
                if (!IsEmpty(rSchema))
                {
                    Issue("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", at);
                }
            }
            else if (Quiet(() => Compare(wAdditional!.Value, wRoot, rSchema, rRoot, at, depth + 1)) > 0)
            {
                Issue("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at);
            }
        }
        foreach (var (name, wSchema) in wProps.Where(p => !rProps.ContainsKey(p.Key)))
        {
            var at = $"{path}/properties/{name}";
            if (rClosed)
            {
                Issue("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", at);
            }
            else if (!rOpen && Quiet(() => Compare(wSchema, wRoot, rAdditional!.Value, rRoot, at, depth + 1)) > 0)
            {
                Issue("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at);
            }
        }
        foreach (var name in rRequired.Where(n => !wRequired.Contains(n)))
        {
            if (!(rProps.TryGetValue(name, out var s) && HasDefault(s)))
            {
                Issue("REQUIRED_ATTRIBUTE_ADDED", $"{path}/required/{name}");
            }
        }
        if (rClosed && !wClosed)
        {
            Issue("ADDITIONAL_PROPERTIES_REMOVED", path);
        }
        else if (!rOpen && !rClosed && !wClosed)
        {
            var wSchema = wAdditional ?? default;
            if (wOpen || Quiet(() => Compare(wSchema, wRoot, rAdditional!.Value, rRoot, path + "/additionalProperties", depth + 1)) > 0)
            {
                Issue("ADDITIONAL_PROPERTIES_NARROWED", path);
            }
        }
    }

    private void CompareArray(JsonElement w, JsonElement wRoot, JsonElement r, JsonElement rRoot, string path, int depth)
    {
        var wItems = ItemSchemas(w);
        var rItems = ItemSchemas(r);
        if (rItems.Each is { } rEach)
        {
            for (var i = 0; i < wItems.Prefix.Count; i++)
            {
                Compare(wItems.Prefix[i], wRoot, rEach, rRoot, $"{path}/items/{i}", depth + 1);
            }
            if (wItems.Each is { } wEach)
            {
                Compare(wEach, wRoot, rEach, rRoot, path + "/items", depth + 1);
            }
            else if (!IsEmpty(rEach))
            {
                Issue("ITEMS_ADDED", path);
            }
        }
        for (var i = 0; i < rItems.Prefix.Count; i++)
        {
            var wItem = i < wItems.Prefix.Count ? wItems.Prefix[i] : wItems.Each;
            if (wItem is null)
            {
                Issue("ITEMS_ADDED", $"{path}/items/{i}");
            }
            else
            {
                Compare(wItem.Value, wRoot, rItems.Prefix[i], rRoot, $"{path}/items/{i}", depth + 1);
            }
        }
    }

    private void Bound(JsonElement w, JsonElement r, string keyword, string path, bool upper)
    {
        if (!r.TryGetProperty(keyword, out var rb) || rb.ValueKind != JsonValueKind.Number)
        {
            return;
        }
        var name = keyword.ToUpperInvariant() switch
        {
            "MAXLENGTH" => "MAX_LENGTH",
            "MINLENGTH" => "MIN_LENGTH",
            "MAXITEMS" => "MAX_ITEMS",
            "MINITEMS" => "MIN_ITEMS",
            "MAXPROPERTIES" => "MAX_PROPERTIES",
            "MINPROPERTIES" => "MIN_PROPERTIES",
            "EXCLUSIVEMAXIMUM" => "EXCLUSIVE_MAXIMUM",
            "EXCLUSIVEMINIMUM" => "EXCLUSIVE_MINIMUM",
            var other => other,
        };
        if (!w.TryGetProperty(keyword, out var wb) || wb.ValueKind != JsonValueKind.Number)
        {
            if (upper || rb.GetDouble() > 0)
            {
                Issue(name + "_ADDED", path);
            }
        }
        else if (upper ? rb.GetDouble() < wb.GetDouble() : rb.GetDouble() > wb.GetDouble())
        {
            Issue(name + (upper ? "_DECREASED" : "_INCREASED"), path);
        }
    }

    private void MultipleOf(JsonElement w, JsonElement r, string path)
    {
        if (!r.TryGetProperty("multipleOf", out var rm) || rm.ValueKind != JsonValueKind.Number)
        {
            return;
        }
        if (!w.TryGetProperty("multipleOf", out var wm) || wm.ValueKind != JsonValueKind.Number)
        {
            Issue("MULTIPLE_OF_ADDED", path);
            return;
        }
        var ratio = wm.GetDouble() / rm.GetDouble();
        if (Math.Abs(ratio - Math.Round(ratio)) > 1e-9)
        {
            Issue(rm.GetDouble() > wm.GetDouble() ? "MULTIPLE_OF_EXPANDED" : "MULTIPLE_OF_CHANGED", path);
        }
    }

    private void Pattern(JsonElement w, JsonElement r, string path)
    {
        if (r.TryGetProperty("pattern", out var rp))
        {
            if (!w.TryGetProperty("pattern", out var wp))
            {
                Issue("PATTERN_ADDED", path);
            }
            else if (wp.GetString() != rp.GetString())
            {
                Issue("PATTERN_CHANGED", path);
            }
        }
    }

    private void Enum(JsonElement w, JsonElement r, string path)
    {
        var rValues = Values(r);
        if (rValues is null)
        {
            return;
        }
        var wValues = Values(w);
        if (wValues is null)
        {
            Issue("ENUM_ARRAY_NARROWED", path);
        }
        else if (!wValues.All(v => rValues.Any(x => JsonElement.DeepEquals(x, v))))
        {
            Issue(rValues.All(v => wValues.Any(x => JsonElement.DeepEquals(x, v))) ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED", path);
        }

        static List<JsonElement>? Values(JsonElement s) =>
            s.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList()
            : s.TryGetProperty("const", out var c) ? [c]
            : null;
    }

    private void Issue(string type, string path) => _issues.Add((type, path));

    /// <summary>Runs a comparison whose issues are only counted, not reported.</summary>
    private int Quiet(Func<int> compare)
    {
        var saved = _issues.Count;
        var count = compare();
        _issues.RemoveRange(saved, _issues.Count - saved);
        return count;
    }

    private static string? Ref(JsonElement s) =>
        s.ValueKind == JsonValueKind.Object && s.TryGetProperty("$ref", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;

    private static string? CombinedKind(JsonElement s) =>
        new[] { "oneOf", "anyOf", "allOf" }.FirstOrDefault(k => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Array);

    private static readonly string[] AnnotationKeywords = ["$schema", "$id", "id", "title", "description", "default", "examples", "$comment", "format", "definitions", "$defs", "readOnly", "writeOnly", "deprecated"];

    /// <summary>True, {} or only annotations: accepts everything.</summary>
    private static bool IsEmpty(JsonElement s) =>
        s.ValueKind == JsonValueKind.True || (s.ValueKind == JsonValueKind.Object && s.EnumerateObject().All(p => AnnotationKeywords.Contains(p.Name)));

    private static bool Flag(JsonElement s, string keyword) => s.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.True;

    private static bool HasDefault(JsonElement s) => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("default", out _);

    private static HashSet<string> Types(JsonElement s)
    {
        if (!s.TryGetProperty("type", out var t))
        {
            return ["null", "boolean", "object", "array", "number", "string", "integer"];
        }
        var result = (t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()) : [t.GetString()])
            .Where(x => x is not null).Select(x => x!).ToHashSet(StringComparer.Ordinal);
        if (result.Contains("number"))
        {
            result.Add("integer");
        }
        return result;
    }

    private static bool Covers(HashSet<string> outer, HashSet<string> inner) => inner.All(outer.Contains);

    private static Dictionary<string, JsonElement> Properties(JsonElement s) =>
        s.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    private static HashSet<string> Required(JsonElement s) =>
        s.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(x => x.GetString()).Where(x => x is not null).Select(x => x!).ToHashSet(StringComparer.Ordinal)
            : [];

    private static (List<JsonElement> Prefix, JsonElement? Each) ItemSchemas(JsonElement s)
    {
        var prefix = new List<JsonElement>();
        JsonElement? each = null;
        if (s.TryGetProperty("prefixItems", out var p) && p.ValueKind == JsonValueKind.Array)
        {
            prefix.AddRange(p.EnumerateArray());
        }
        if (s.TryGetProperty("items", out var items))
        {
            if (items.ValueKind == JsonValueKind.Array)
            {
                prefix.AddRange(items.EnumerateArray());
                each = s.TryGetProperty("additionalItems", out var additional) ? additional : null;
            }
            else
            {
                each = items;
            }
        }
        return (prefix, each);
    }
}
