using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// A JSON Schema with the documents it may <c>$ref</c> (the registered references, by name and by
/// their <c>$id</c>), indexed by base URI as the drafts define it: <c>$id</c> (draft 4: <c>id</c>)
/// starts a resource, <c>#name</c> ids, <c>$anchor</c> and <c>$dynamicAnchor</c> name locations,
/// and a <c>$ref</c> resolves against the base URI of the schema it sits in. The draft meta-schemas
/// are known by their URIs. The validator compiled from it is built once, on first use.
/// </summary>
public sealed class JsonSchemaDocument
{
    /// <summary>The base URI of a document that has no absolute <c>$id</c>; reference names resolve against it.</summary>
    internal static readonly Uri DefaultBase = new("http://strom.invalid/schemas/__root__");

    private readonly List<(JsonElement Root, Uri Base)> _documents = [];
    private readonly Dictionary<string, SchemaLocation> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaLocation> _anchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dynamicAnchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recursiveAnchors = new(StringComparer.Ordinal);
    private readonly Dictionary<SchemaLocation, (string Base, JsonSchemaDraft Draft)> _locations = [];
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Lazy<CompiledSchema> _compiled;

    /// <param name="root">The schema.</param>
    /// <param name="references">Documents it may $ref, by the name they are imported under (an absolute URI works too).</param>
    /// <param name="defaultDraft">The draft when the root has no (known) <c>$schema</c> (default: <see cref="JsonSchemaDrafts.Default"/>).</param>
    public JsonSchemaDocument(JsonElement root, IEnumerable<(string Name, JsonElement Schema)>? references = null, JsonSchemaDraft? defaultDraft = null)
    {
        Root = root;
        Draft = JsonSchemaDrafts.Of(root, defaultDraft ?? JsonSchemaDrafts.Default);
        AddDocument(root, DefaultBase, Draft);
        foreach (var (name, schema) in references ?? [])
        {
            if (_names.ContainsKey(name))
            {
                continue;
            }
            Uri.TryCreate(DefaultBase, name, out var named);
            _names[name] = AddDocument(schema, named ?? DefaultBase, JsonSchemaDrafts.Of(schema, Draft));
        }
        _compiled = new Lazy<CompiledSchema>(() => new SchemaCompiler(this).Compile(), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public JsonElement Root { get; }

    /// <summary>The draft the root schema is read as (its <c>$schema</c>, else <see cref="JsonSchemaDrafts.Default"/>).</summary>
    public JsonSchemaDraft Draft { get; }

    internal CompiledSchema Compiled => _compiled.Value;

    /// <summary>The schema a $ref in <paramref name="documentRoot"/> (this root or a reference's) points to; null when it does not resolve.</summary>
    public (JsonElement Schema, JsonElement DocumentRoot)? Resolve(string reference, JsonElement documentRoot)
    {
        var document = 0;
        for (var i = 0; i < _documents.Count; i++)
        {
            if (SameElement(_documents[i].Root, documentRoot))
            {
                document = i;
                break;
            }
        }
        var location = Resolve(reference, BaseOf(new SchemaLocation(document, "")).Base);
        return location is { } l && Navigate(l) is { } schema ? (schema, _documents[l.Document].Root) : null;
    }

    /// <summary>Where <paramref name="reference"/> points when read in a schema whose base URI is <paramref name="baseUri"/>.</summary>
    internal SchemaLocation? Resolve(string reference, string baseUri)
    {
        var hash = reference.IndexOf('#');
        var documentPart = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? "" : Uri.UnescapeDataString(reference[(hash + 1)..]);
        if (!Uri.TryCreate(new Uri(baseUri), documentPart, out var absolute))
        {
            return null;
        }
        var key = Key(absolute);
        lock (_gate)
        {
            if (!_resources.TryGetValue(key, out var resource) && !TryFallback(documentPart, key, out resource))
            {
                return null;
            }
            if (fragment.Length == 0)
            {
                return resource;
            }
            if (fragment.StartsWith('/'))
            {
                var target = new SchemaLocation(resource.Document, resource.Pointer + fragment);
                return Navigate(target) is null ? null : target;
            }
            return _anchors.TryGetValue(key + "#" + fragment, out var anchor) ? anchor : null;
        }
    }

    /// <summary>Every subschema position of one document.</summary>
    internal IReadOnlyList<SchemaLocation> Locations(int document)
    {
        lock (_gate)
        {
            return [.. _locations.Keys.Where(l => l.Document == document)];
        }
    }

    internal bool IsDynamicAnchor(string resource, string name)
    {
        lock (_gate)
        {
            return _dynamicAnchors.Contains(resource + "#" + name);
        }
    }

    internal bool HasRecursiveAnchor(string resource)
    {
        lock (_gate)
        {
            return _recursiveAnchors.Contains(resource);
        }
    }

    internal IReadOnlyList<SchemaLocation> DynamicTargets()
    {
        lock (_gate)
        {
            return [.. _dynamicAnchors.Select(a => _anchors[a]), .. _recursiveAnchors.Select(r => _resources[r])];
        }
    }

    /// <summary>The base URI and draft in force at a location (that of its nearest indexed ancestor).</summary>
    internal (string Base, JsonSchemaDraft Draft) BaseOf(SchemaLocation location)
    {
        lock (_gate)
        {
            var pointer = location.Pointer;
            while (true)
            {
                if (_locations.TryGetValue(location with { Pointer = pointer }, out var found))
                {
                    return found;
                }
                var slash = pointer.LastIndexOf('/');
                if (slash < 0)
                {
                    return (Key(_documents[location.Document].Base), Draft);
                }
                pointer = pointer[..slash];
            }
        }
    }

    internal JsonElement? Navigate(SchemaLocation location)
    {
        var current = _documents[location.Document].Root;
        if (location.Pointer.Length == 0)
        {
            return current;
        }
        foreach (var raw in location.Pointer[1..].Split('/'))
        {
            var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(token, out var index) && index >= 0 && index < current.GetArrayLength()
                && (token == "0" || !token.StartsWith('0')))
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }
        return current;
    }

    private static string Key(Uri uri)
    {
        var text = uri.IsAbsoluteUri ? uri.AbsoluteUri : uri.OriginalString;
        var hash = text.IndexOf('#');
        return hash < 0 ? text : text[..hash];
    }

    private static bool SameElement(JsonElement a, JsonElement b) =>
        a.ValueKind == b.ValueKind && (a.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) || a.Equals(b));

    /// <summary>A registered reference by its plain name, a name matching the last path segment, or a draft meta-schema.</summary>
    private bool TryFallback(string documentPart, string key, out SchemaLocation location)
    {
        location = default;
        if (_names.TryGetValue(documentPart, out var named))
        {
            location = new SchemaLocation(named, "");
            return true;
        }
        var last = key[(key.LastIndexOf('/') + 1)..];
        foreach (var (name, index) in _names)
        {
            if (last.Length > 0 && (name == last || name.EndsWith("/" + last, StringComparison.Ordinal)))
            {
                location = new SchemaLocation(index, "");
                return true;
            }
        }
        if (JsonSchemaDrafts.FromUri(key) is { } draft)
        {
            var meta = JsonSchemaMetaSchemas.Get(draft);
            AddDocument(meta, new Uri(key), draft);
            return _resources.TryGetValue(key, out location);
        }
        return false;
    }

    private int AddDocument(JsonElement root, Uri baseUri, JsonSchemaDraft draft)
    {
        var index = _documents.Count;
        _documents.Add((root, baseUri));
        var key = Key(baseUri);
        _resources.TryAdd(key, new SchemaLocation(index, ""));
        Walk(new SchemaLocation(index, ""), root, key, draft, 0);
        return index;
    }

    /// <summary>Records the base URI of every subschema, and the resources and anchors it declares.</summary>
    private void Walk(SchemaLocation at, JsonElement schema, string baseUri, JsonSchemaDraft draft, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > 512)
        {
            _locations.TryAdd(at, (baseUri, draft));
            return;
        }
        if (schema.TryGetProperty("$schema", out var declared) && declared.ValueKind == JsonValueKind.String
            && (at.Pointer.Length == 0 || draft >= JsonSchemaDraft.Draft201909))
        {
            draft = JsonSchemaDrafts.FromUri(declared.GetString()) ?? draft;
        }
        var ignoresSiblings = draft <= JsonSchemaDraft.Draft7 && schema.TryGetProperty("$ref", out _);
        if (!ignoresSiblings && schema.TryGetProperty(JsonSchemaDrafts.IdKeyword(draft), out var id) && id.ValueKind == JsonValueKind.String
            && Uri.TryCreate(new Uri(baseUri), id.GetString()!, out var resolved))
        {
            var text = id.GetString()!;
            var hash = text.IndexOf('#');
            var fragment = hash < 0 ? "" : text[(hash + 1)..];
            if (hash != 0)
            {
                baseUri = Key(resolved);
                _resources.TryAdd(baseUri, at);
            }
            if (fragment.Length > 0 && !fragment.StartsWith('/') && draft <= JsonSchemaDraft.Draft7)
            {
                _anchors.TryAdd(baseUri + "#" + fragment, at);
            }
        }
        if (draft >= JsonSchemaDraft.Draft201909)
        {
            if (schema.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
            {
                _anchors.TryAdd(baseUri + "#" + anchor.GetString(), at);
            }
            if (draft == JsonSchemaDraft.Draft202012 && schema.TryGetProperty("$dynamicAnchor", out var dynamic) && dynamic.ValueKind == JsonValueKind.String)
            {
                _anchors.TryAdd(baseUri + "#" + dynamic.GetString(), at);
                _dynamicAnchors.Add(baseUri + "#" + dynamic.GetString());
            }
            if (draft == JsonSchemaDraft.Draft201909 && schema.TryGetProperty("$recursiveAnchor", out var recursive) && recursive.ValueKind == JsonValueKind.True
                && _resources.TryGetValue(baseUri, out var root) && root == at)
            {
                _recursiveAnchors.Add(baseUri);
            }
        }
        _locations.TryAdd(at, (baseUri, draft));
        foreach (var property in schema.EnumerateObject())
        {
            var child = at.Pointer + "/" + Escape(property.Name);
            switch (property.Name)
            {
                case "additionalItems" or "additionalProperties" or "contains" or "propertyNames" or "not" or "if" or "then" or "else"
                    or "unevaluatedItems" or "unevaluatedProperties" or "contentSchema":
                    Walk(at with { Pointer = child }, property.Value, baseUri, draft, depth + 1);
                    break;
                case "items" or "allOf" or "anyOf" or "oneOf" or "prefixItems":
                    if (property.Value.ValueKind == JsonValueKind.Array)
                    {
                        var i = 0;
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            Walk(at with { Pointer = $"{child}/{i++}" }, item, baseUri, draft, depth + 1);
                        }
                    }
                    else
                    {
                        Walk(at with { Pointer = child }, property.Value, baseUri, draft, depth + 1);
                    }
                    break;
                case "properties" or "patternProperties" or "definitions" or "$defs" or "dependentSchemas" or "dependencies":
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in property.Value.EnumerateObject())
                        {
                            Walk(at with { Pointer = child + "/" + Escape(entry.Name) }, entry.Value, baseUri, draft, depth + 1);
                        }
                    }
                    break;
            }
        }
    }

    internal static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>A schema inside one of a <see cref="JsonSchemaDocument"/>'s documents: which one, and the JSON pointer to it.</summary>
internal readonly record struct SchemaLocation(int Document, string Pointer);
