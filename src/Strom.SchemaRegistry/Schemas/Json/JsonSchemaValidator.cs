using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>How instances are validated.</summary>
public sealed record JsonSchemaValidationOptions
{
    public static JsonSchemaValidationOptions Default { get; } = new();

    /// <summary>Check the common "format" values (see <see cref="JsonSchemaFormats.Known"/>) instead of treating format as an annotation (default: false).</summary>
    public bool AssertFormat { get; init; }
}

/// <summary>
/// Validates JSON instances against a JSON Schema of drafts 4, 6, 7, 2019-09 or 2020-12, each by its
/// own keyword rules (the draft comes from <c>$schema</c>; draft 7 when absent). The schema compiles
/// once into a tree of keyword checks (<see cref="JsonSchemaDocument"/> caches it); a validation
/// walks that tree. Failures carry the instance path ("$.items[2].name").
/// </summary>
public static class JsonSchemaValidator
{
    /// <summary>Every failure (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(JsonSchemaDocument schema, JsonElement instance, JsonSchemaValidationOptions? options = null)
    {
        var errors = new List<string>();
        schema.Compiled.Root.Evaluate(instance, new Evaluation(options ?? JsonSchemaValidationOptions.Default, errors), null);
        return errors;
    }

    /// <summary>Whether the instance is valid; stops at the first failure.</summary>
    public static bool IsValid(JsonSchemaDocument schema, JsonElement instance, JsonSchemaValidationOptions? options = null) =>
        schema.Compiled.Root.Evaluate(instance, new Evaluation(options ?? JsonSchemaValidationOptions.Default, null), null);

    /// <summary>
    /// The ways <paramref name="schema"/> breaks its draft's meta-schema (Strom's own, see
    /// <see cref="JsonSchemaMetaSchemas"/>), then any $ref that does not resolve and pattern that is
    /// not an ECMA-262 regular expression. Empty when the schema is sound.
    /// </summary>
    public static IReadOnlyList<string> CheckSchema(JsonSchemaDocument schema)
    {
        var errors = new List<string>(Validate(JsonSchemaMetaSchemas.Document(schema.Draft), schema.Root));
        if (errors.Count == 0)
        {
            errors.AddRange(schema.Compiled.Problems);
        }
        if (errors.Count == 0 && InPlaceCycle(schema.Compiled.Nodes) is { } cycle)
        {
            errors.Add($"$ref cycle that never reaches a value: {cycle}");
        }
        return errors;
    }

    /// <summary>
    /// A loop of subschemas applied to the same instance ($ref to $ref, allOf back to itself ...):
    /// evaluating it never moves into a property or item, so it cannot end. Recursion through
    /// properties or items is fine. Returns the loop's locations, or null.
    /// </summary>
    private static string? InPlaceCycle(IReadOnlyList<SchemaNode> nodes)
    {
        var done = new HashSet<SchemaNode>();
        var onPath = new List<SchemaNode>();
        foreach (var node in nodes)
        {
            if (Visit(node) is { } found)
            {
                return found;
            }
        }
        return null;

        string? Visit(SchemaNode node)
        {
            if (done.Contains(node))
            {
                return null;
            }
            var at = onPath.IndexOf(node);
            if (at >= 0)
            {
                return string.Join(" -> ", onPath.Skip(at).Append(node).Select(n => n.Location));
            }
            if (onPath.Count > SchemaNode.MaxDepth)
            {
                return null;
            }
            onPath.Add(node);
            foreach (var next in node.Keywords.SelectMany(k => k.InPlace))
            {
                if (Visit(next) is { } found)
                {
                    return found;
                }
            }
            onPath.RemoveAt(onPath.Count - 1);
            done.Add(node);
            return null;
        }
    }
}
