using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>A schema compiled into a tree of keyword checks, with the nodes the dynamic references may jump to.</summary>
internal sealed class CompiledSchema
{
    private readonly Dictionary<string, SchemaNode> _dynamicAnchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaNode> _recursiveAnchors = new(StringComparer.Ordinal);

    public SchemaNode Root { get; set; } = null!;

    /// <summary>Every compiled node (the root and all it reaches).</summary>
    public IReadOnlyList<SchemaNode> Nodes { get; set; } = [];

    /// <summary>What makes the schema unusable though its JSON is well-formed: $refs that do not resolve, patterns that do not compile.</summary>
    public List<string> Problems { get; } = [];

    public SchemaNode? DynamicAnchor(string resource, string name) => _dynamicAnchors.GetValueOrDefault(resource + "#" + name);

    public SchemaNode? RecursiveAnchor(string resource) => _recursiveAnchors.GetValueOrDefault(resource);

    internal void AddDynamicAnchor(string key, SchemaNode node) => _dynamicAnchors.TryAdd(key, node);

    internal void AddRecursiveAnchor(string resource, SchemaNode node) => _recursiveAnchors.TryAdd(resource, node);
}

/// <summary>
/// Reads each schema object once, by the rules of its draft, into a <see cref="SchemaNode"/>. Nodes
/// are cached by location before their keywords compile, so recursive $refs close into cycles.
/// Keywords a draft does not define are ignored, as are keywords with ill-typed values (the
/// meta-schema check rejects those at registration).
/// </summary>
internal sealed class SchemaCompiler(JsonSchemaDocument document)
{
    private readonly Dictionary<SchemaLocation, SchemaNode> _nodes = [];
    private readonly List<(DynamicRefKeyword Keyword, SchemaLocation Target, string Anchor)> _dynamicRefs = [];
    private readonly List<(RecursiveRefKeyword Keyword, SchemaLocation Target)> _recursiveRefs = [];
    private readonly CompiledSchema _compiled = new();

    public CompiledSchema Compile()
    {
        _compiled.Root = Node(new SchemaLocation(0, ""));
        // Every subschema of the root document, used or not, so that its problems surface now.
        foreach (var location in document.Locations(0))
        {
            _ = Node(location);
        }
        foreach (var (keyword, target, anchor) in _dynamicRefs)
        {
            keyword.Bookended = document.Navigate(target) is { ValueKind: JsonValueKind.Object } t
                && t.TryGetProperty("$dynamicAnchor", out var declared) && declared.ValueKind == JsonValueKind.String && declared.GetString() == anchor;
        }
        foreach (var (keyword, target) in _recursiveRefs)
        {
            keyword.Anchored = document.Navigate(target) is { ValueKind: JsonValueKind.Object } t
                && t.TryGetProperty("$recursiveAnchor", out var anchored) && anchored.ValueKind == JsonValueKind.True;
        }
        // Every anchor a dynamic reference may land on, compiled now so evaluation never compiles.
        for (var done = 0; done < document.DynamicTargets().Count;)
        {
            var targets = document.DynamicTargets();
            for (; done < targets.Count; done++)
            {
                _ = Node(targets[done]);
            }
        }
        _compiled.Nodes = [.. _nodes.Values];
        foreach (var ((resource, anchor), node) in DynamicNodes())
        {
            if (anchor is null)
            {
                _compiled.AddRecursiveAnchor(resource, node);
            }
            else
            {
                _compiled.AddDynamicAnchor(resource + "#" + anchor, node);
            }
        }
        return _compiled;
    }

    private IEnumerable<((string Resource, string? Anchor), SchemaNode)> DynamicNodes()
    {
        foreach (var (location, node) in _nodes)
        {
            if (document.Navigate(location) is not { ValueKind: JsonValueKind.Object } schema)
            {
                continue;
            }
            var (baseUri, draft) = document.BaseOf(location);
            if (draft == JsonSchemaDraft.Draft202012 && schema.TryGetProperty("$dynamicAnchor", out var anchor) && anchor.ValueKind == JsonValueKind.String
                && document.IsDynamicAnchor(baseUri, anchor.GetString()!))
            {
                yield return ((baseUri, anchor.GetString()), node);
            }
            if (draft == JsonSchemaDraft.Draft201909 && document.HasRecursiveAnchor(baseUri) && document.Resolve("#", baseUri) == location)
            {
                yield return ((baseUri, null), node);
            }
        }
    }

    private SchemaNode Node(SchemaLocation location)
    {
        if (_nodes.TryGetValue(location, out var cached))
        {
            return cached;
        }
        var (baseUri, draft) = document.BaseOf(location);
        var node = new SchemaNode(baseUri + "#" + location.Pointer, baseUri);
        _nodes.Add(location, node);
        var schema = document.Navigate(location) ?? default;
        switch (schema.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False:
                node.Constant = schema.ValueKind == JsonValueKind.True;
                break;
            case JsonValueKind.Object:
                var keywords = new List<Keyword>();
                var last = new List<Keyword>();
                Keywords(location, schema, baseUri, draft, keywords, last);
                node.CollectsAnnotations = last.Count > 0;
                node.Keywords = [.. keywords, .. last];
                break;
            default:
                node.Constant = true;
                break;
        }
        return node;
    }

    private SchemaNode Child(SchemaLocation parent, params string[] tokens) =>
        Node(parent with { Pointer = parent.Pointer + string.Concat(tokens.Select(t => "/" + JsonSchemaDocument.Escape(t))) });

    private void Keywords(SchemaLocation at, JsonElement schema, string baseUri, JsonSchemaDraft draft, List<Keyword> keywords, List<Keyword> last)
    {
        if (draft <= JsonSchemaDraft.Draft7 && schema.TryGetProperty("$ref", out var onlyRef) && onlyRef.ValueKind == JsonValueKind.String)
        {
            keywords.Add(Reference(at, onlyRef.GetString()!, baseUri));
            return;
        }
        var lexicalIntegers = draft == JsonSchemaDraft.Draft4;
        foreach (var property in schema.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "$ref" when value.ValueKind == JsonValueKind.String:
                    keywords.Add(Reference(at, value.GetString()!, baseUri));
                    break;
                case "$dynamicRef" when draft == JsonSchemaDraft.Draft202012 && value.ValueKind == JsonValueKind.String:
                    keywords.Add(DynamicReference(value.GetString()!, baseUri));
                    break;
                case "$recursiveRef" when draft == JsonSchemaDraft.Draft201909 && value.ValueKind == JsonValueKind.String:
                    var recursive = new RecursiveRefKeyword(value.GetString()!, _compiled);
                    if (document.Resolve(value.GetString()!, baseUri) is { } recursiveTarget)
                    {
                        recursive.Target = Node(recursiveTarget);
                        _recursiveRefs.Add((recursive, recursiveTarget));
                    }
                    keywords.Add(recursive);
                    break;
                case "type":
                    var types = JsonTypes.None;
                    foreach (var type in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value])
                    {
                        types |= type.ValueKind == JsonValueKind.String ? TypeKeyword.Parse(type.GetString()) : JsonTypes.None;
                    }
                    keywords.Add(new TypeKeyword(types, value.GetRawText(), lexicalIntegers));
                    break;
                case "enum" when value.ValueKind == JsonValueKind.Array:
                    keywords.Add(new EnumKeyword([.. value.EnumerateArray()], value.GetRawText()));
                    break;
                case "const" when draft >= JsonSchemaDraft.Draft6:
                    keywords.Add(new EnumKeyword([value], value.GetRawText()));
                    break;
                case "multipleOf" when value.ValueKind == JsonValueKind.Number:
                    keywords.Add(new MultipleOfKeyword(value));
                    break;
                case "maximum" or "minimum" when value.ValueKind == JsonValueKind.Number:
                    var exclusive = draft == JsonSchemaDraft.Draft4 && schema.TryGetProperty("exclusive" + char.ToUpperInvariant(property.Name[0]) + property.Name[1..], out var flag)
                        && flag.ValueKind == JsonValueKind.True;
                    keywords.Add(new BoundKeyword(value, property.Name == "maximum", exclusive));
                    break;
                case "exclusiveMaximum" or "exclusiveMinimum" when draft >= JsonSchemaDraft.Draft6 && value.ValueKind == JsonValueKind.Number:
                    keywords.Add(new BoundKeyword(value, property.Name == "exclusiveMaximum", exclusive: true));
                    break;
                case "minLength" or "maxLength" when property.Name == "minLength" || !schema.TryGetProperty("minLength", out _):
                    keywords.Add(new LengthKeyword(Count(schema, "minLength", 0), Count(schema, "maxLength", long.MaxValue)));
                    break;
                case "pattern" when value.ValueKind == JsonValueKind.String:
                    if (EcmaRegex.TryCreate(value.GetString()!, out var regex, out var regexError))
                    {
                        keywords.Add(new PatternKeyword(regex, value.GetString()!));
                    }
                    else
                    {
                        _compiled.Problems.Add($"{Where(at)}/pattern: not a regular expression: {regexError}");
                    }
                    break;
                case "format" when value.ValueKind == JsonValueKind.String:
                    keywords.Add(new FormatKeyword(value.GetString()!));
                    break;
                case "minItems" or "maxItems" when property.Name == "minItems" || !schema.TryGetProperty("minItems", out _):
                    keywords.Add(new ItemCountKeyword(Count(schema, "minItems", 0), Count(schema, "maxItems", long.MaxValue)));
                    break;
                case "minProperties" or "maxProperties" when property.Name == "minProperties" || !schema.TryGetProperty("minProperties", out _):
                    keywords.Add(new PropertyCountKeyword(Count(schema, "minProperties", 0), Count(schema, "maxProperties", long.MaxValue)));
                    break;
                case "uniqueItems" when value.ValueKind == JsonValueKind.True:
                    keywords.Add(new UniqueItemsKeyword());
                    break;
                case "items" or "prefixItems" or "additionalItems":
                    break;
                case "contains" when draft >= JsonSchemaDraft.Draft6:
                    var modern = draft >= JsonSchemaDraft.Draft201909;
                    keywords.Add(new ContainsKeyword(Child(at, "contains"), modern ? Count(schema, "minContains", 1) : 1,
                        modern ? Count(schema, "maxContains", long.MaxValue) : long.MaxValue, annotates: draft == JsonSchemaDraft.Draft202012));
                    break;
                case "required" when value.ValueKind == JsonValueKind.Array:
                    keywords.Add(new RequiredKeyword([.. value.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!)]));
                    break;
                case "properties" or "patternProperties" or "additionalProperties":
                    break;
                case "propertyNames" when draft >= JsonSchemaDraft.Draft6:
                    keywords.Add(new PropertyNamesKeyword(Child(at, "propertyNames")));
                    break;
                case "dependencies" when draft <= JsonSchemaDraft.Draft7 && value.ValueKind == JsonValueKind.Object:
                    Dependencies(at, "dependencies", value, requiredOnly: false, keywords);
                    break;
                case "dependentRequired" when draft >= JsonSchemaDraft.Draft201909 && value.ValueKind == JsonValueKind.Object:
                    Dependencies(at, "dependentRequired", value, requiredOnly: true, keywords);
                    break;
                case "dependentSchemas" when draft >= JsonSchemaDraft.Draft201909 && value.ValueKind == JsonValueKind.Object:
                    Dependencies(at, "dependentSchemas", value, requiredOnly: false, keywords);
                    break;
                case "allOf" or "anyOf" or "oneOf" when value.ValueKind == JsonValueKind.Array:
                    var branches = Enumerable.Range(0, value.GetArrayLength()).Select(i => Child(at, property.Name, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
                    keywords.Add(property.Name switch
                    {
                        "allOf" => new AllOfKeyword(branches),
                        "anyOf" => new AnyOfKeyword(branches),
                        _ => new OneOfKeyword(branches),
                    });
                    break;
                case "not":
                    keywords.Add(new NotKeyword(Child(at, "not")));
                    break;
                case "if" when draft >= JsonSchemaDraft.Draft7:
                    keywords.Add(new IfKeyword(Child(at, "if"), schema.TryGetProperty("then", out _) ? Child(at, "then") : null,
                        schema.TryGetProperty("else", out _) ? Child(at, "else") : null));
                    break;
                case "unevaluatedProperties" when draft >= JsonSchemaDraft.Draft201909:
                    last.Add(new UnevaluatedPropertiesKeyword(Child(at, "unevaluatedProperties")));
                    break;
                case "unevaluatedItems" when draft >= JsonSchemaDraft.Draft201909:
                    last.Add(new UnevaluatedItemsKeyword(Child(at, "unevaluatedItems")));
                    break;
            }
        }
        if (Items(at, schema, draft) is { } items)
        {
            keywords.Add(items);
        }
        if (Properties(at, schema) is { } properties)
        {
            keywords.Add(properties);
        }
    }

    private ItemsKeyword? Items(SchemaLocation at, JsonElement schema, JsonSchemaDraft draft)
    {
        var hasItems = schema.TryGetProperty("items", out var items);
        if (draft == JsonSchemaDraft.Draft202012)
        {
            var hasPrefix = schema.TryGetProperty("prefixItems", out var prefixItems) && prefixItems.ValueKind == JsonValueKind.Array;
            var rest = hasItems && items.ValueKind != JsonValueKind.Array ? Child(at, "items") : null;
            return hasPrefix || rest is not null ? new ItemsKeyword(hasPrefix ? Tuple(at, "prefixItems", prefixItems) : null, rest) : null;
        }
        if (!hasItems)
        {
            return null;
        }
        if (items.ValueKind == JsonValueKind.Array)
        {
            return new ItemsKeyword(Tuple(at, "items", items), schema.TryGetProperty("additionalItems", out _) ? Child(at, "additionalItems") : null);
        }
        return new ItemsKeyword(null, Child(at, "items"));
    }

    private SchemaNode[] Tuple(SchemaLocation at, string keyword, JsonElement array) =>
        [.. Enumerable.Range(0, array.GetArrayLength()).Select(i => Child(at, keyword, i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

    private PropertiesKeyword? Properties(SchemaLocation at, JsonElement schema)
    {
        Dictionary<string, SchemaNode>? properties = null;
        (Regex, SchemaNode)[]? patterns = null;
        SchemaNode? additional = null;
        if (schema.TryGetProperty("properties", out var declared) && declared.ValueKind == JsonValueKind.Object)
        {
            properties = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
            foreach (var property in declared.EnumerateObject())
            {
                properties.TryAdd(property.Name, Child(at, "properties", property.Name));
            }
        }
        if (schema.TryGetProperty("patternProperties", out var patterned) && patterned.ValueKind == JsonValueKind.Object)
        {
            patterns = [.. patterned.EnumerateObject()
                .Select(p => (Regex: EcmaRegex.TryCreate(p.Name, out var regex, out var error) ? regex : Problem(at, p.Name, error), p.Name))
                .Where(p => p.Regex is not null)
                .Select(p => (p.Regex!, Child(at, "patternProperties", p.Name)))];
        }
        if (schema.TryGetProperty("additionalProperties", out _))
        {
            additional = Child(at, "additionalProperties");
        }
        return properties is null && patterns is null && additional is null ? null : new PropertiesKeyword(properties, patterns, additional);
    }

    private void Dependencies(SchemaLocation at, string keyword, JsonElement map, bool requiredOnly, List<Keyword> keywords)
    {
        var required = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var schemas = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                required[entry.Name] = [.. entry.Value.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!)];
            }
            else if (!requiredOnly && entry.Value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
            {
                schemas[entry.Name] = Child(at, keyword, entry.Name);
            }
        }
        if (required.Count > 0)
        {
            keywords.Add(new DependentRequiredKeyword(required));
        }
        if (schemas.Count > 0)
        {
            keywords.Add(new DependentSchemasKeyword(schemas));
        }
    }

    private RefKeyword Reference(SchemaLocation at, string reference, string baseUri)
    {
        var keyword = new RefKeyword(reference);
        if (document.Resolve(reference, baseUri) is { } target)
        {
            keyword.Target = Node(target);
        }
        else
        {
            _compiled.Problems.Add($"{Where(at)}: $ref {reference} does not resolve");
        }
        return keyword;
    }

    private Regex? Problem(SchemaLocation at, string pattern, string? error)
    {
        _compiled.Problems.Add($"{Where(at)}/patternProperties: {pattern} is not a regular expression: {error}");
        return null;
    }

    private static string Where(SchemaLocation at) => at.Document == 0 ? "#" + at.Pointer : $"reference {at.Document}: #{at.Pointer}";

    private DynamicRefKeyword DynamicReference(string reference, string baseUri)
    {
        var hash = reference.IndexOf('#');
        var fragment = hash < 0 ? "" : reference[(hash + 1)..];
        var anchor = fragment.Length > 0 && !fragment.StartsWith('/') ? fragment : null;
        var keyword = new DynamicRefKeyword(reference, anchor, _compiled);
        if (document.Resolve(reference, baseUri) is { } target)
        {
            keyword.Target = Node(target);
            if (anchor is not null)
            {
                _dynamicRefs.Add((keyword, target, anchor));
            }
        }
        return keyword;
    }

    private static long Count(JsonElement schema, string keyword, long fallback) =>
        schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.TryGetInt64(out var count) ? count : (long)Math.Clamp(JsonNumber.ToDouble(value), long.MinValue, long.MaxValue)
            : fallback;
}
