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
        return errors;
    }
}
