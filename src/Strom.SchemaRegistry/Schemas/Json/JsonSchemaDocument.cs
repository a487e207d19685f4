using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// A JSON Schema with the documents it may <c>$ref</c>: the registered references by name (or by
/// their <c>$id</c>). Resolves "#", "#/json/pointer", "name" and "name#/pointer" (RFC 6901 escapes).
/// </summary>
public sealed class JsonSchemaDocument
{
    private readonly Dictionary<string, JsonElement> _documents = new(StringComparer.Ordinal);

    public JsonSchemaDocument(JsonElement root, IEnumerable<(string Name, JsonElement Schema)>? references = null)
    {
        Root = root;
        foreach (var (name, schema) in references ?? [])
        {
            _documents.TryAdd(name, schema);
            if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                _documents.TryAdd(id.GetString()!, schema);
            }
        }
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("$id", out var rootId) && rootId.ValueKind == JsonValueKind.String)
        {
            _documents.TryAdd(rootId.GetString()!, root);
        }
    }

    public JsonElement Root { get; }

    /// <summary>The schema a $ref points to, read from <paramref name="documentRoot"/> for a fragment-only reference; null when it does not resolve.</summary>
    public (JsonElement Schema, JsonElement DocumentRoot)? Resolve(string reference, JsonElement documentRoot)
    {
        var hash = reference.IndexOf('#');
        var document = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? "" : reference[(hash + 1)..];
        var root = documentRoot;
        if (document.Length > 0 && !TryDocument(document, out root))
        {
            return null;
        }
        if (fragment.Length == 0)
        {
            return (root, root);
        }
        if (!fragment.StartsWith('/'))
        {
            return null;
        }
        var current = root;
        foreach (var raw in fragment[1..].Split('/'))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(token, out var index) && index >= 0 && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }
        return (current, root);
    }

    private bool TryDocument(string name, out JsonElement root)
    {
        if (_documents.TryGetValue(name, out root))
        {
            return true;
        }
        // A relative name against an absolute $id: match on the last path segment.
        var last = name[(name.LastIndexOf('/') + 1)..];
        foreach (var (key, value) in _documents)
        {
            if (key.EndsWith("/" + last, StringComparison.Ordinal) || key == last)
            {
                root = value;
                return true;
            }
        }
        return false;
    }
}
