using System.Text.Json;
using System.Text.Json.Nodes;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// Strom's own meta-schemas, one per draft, built from a table of keywords: for each, the shape of
/// value it takes and the drafts that define it. They check what the official meta-schemas check
/// for validation purposes (a schema is an object, or a boolean from draft 6; each keyword's value
/// is well-typed; subschemas are schemas, recursively) and serve their URIs to $refs.
/// </summary>
public static class JsonSchemaMetaSchemas
{
    private static readonly string[] TypeNames = ["array", "boolean", "integer", "null", "number", "object", "string"];

    private static readonly Lazy<JsonElement>[] Schemas =
        [.. Enum.GetValues<JsonSchemaDraft>().Select(d => new Lazy<JsonElement>(() => Build(d)))];

    private static readonly Lazy<JsonSchemaDocument>[] Documents =
        [.. Enum.GetValues<JsonSchemaDraft>().Select(d => new Lazy<JsonSchemaDocument>(() => new JsonSchemaDocument(Get(d))))];

    private enum Shape
    {
        Schema,
        SchemaList,
        SchemaMap,
        SchemaOrList,
        SchemaOrFlag,
        Count,
        Number,
        PositiveNumber,
        Flag,
        Text,
        Names,
        Types,
        List,
        Dependencies,
        NamesMap,
        Anchor,
        Vocabulary,
    }

    // (keyword, shape, first draft, last draft)
    private static readonly (string Keyword, Shape Shape, JsonSchemaDraft From, JsonSchemaDraft To)[] Table =
    [
        ("id", Shape.Text, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft4),
        ("$id", Shape.Text, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("$schema", Shape.Text, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("$ref", Shape.Text, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("$comment", Shape.Text, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("$anchor", Shape.Anchor, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("$dynamicAnchor", Shape.Anchor, JsonSchemaDraft.Draft202012, JsonSchemaDraft.Draft202012),
        ("$dynamicRef", Shape.Text, JsonSchemaDraft.Draft202012, JsonSchemaDraft.Draft202012),
        ("$recursiveAnchor", Shape.Flag, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft201909),
        ("$recursiveRef", Shape.Text, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft201909),
        ("$vocabulary", Shape.Vocabulary, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("$defs", Shape.SchemaMap, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("definitions", Shape.SchemaMap, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("title", Shape.Text, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("description", Shape.Text, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("examples", Shape.List, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("readOnly", Shape.Flag, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("writeOnly", Shape.Flag, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("deprecated", Shape.Flag, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("type", Shape.Types, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("enum", Shape.List, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("multipleOf", Shape.PositiveNumber, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("maximum", Shape.Number, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("minimum", Shape.Number, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("exclusiveMaximum", Shape.Flag, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft4),
        ("exclusiveMinimum", Shape.Flag, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft4),
        ("exclusiveMaximum", Shape.Number, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("exclusiveMinimum", Shape.Number, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("maxLength", Shape.Count, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("minLength", Shape.Count, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("pattern", Shape.Text, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("format", Shape.Text, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("contentMediaType", Shape.Text, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("contentEncoding", Shape.Text, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("contentSchema", Shape.Schema, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("items", Shape.SchemaOrList, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft201909),
        ("items", Shape.Schema, JsonSchemaDraft.Draft202012, JsonSchemaDraft.Draft202012),
        ("prefixItems", Shape.SchemaList, JsonSchemaDraft.Draft202012, JsonSchemaDraft.Draft202012),
        ("additionalItems", Shape.SchemaOrFlag, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft4),
        ("additionalItems", Shape.Schema, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft201909),
        ("unevaluatedItems", Shape.Schema, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("maxItems", Shape.Count, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("minItems", Shape.Count, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("uniqueItems", Shape.Flag, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("contains", Shape.Schema, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("maxContains", Shape.Count, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("minContains", Shape.Count, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("maxProperties", Shape.Count, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("minProperties", Shape.Count, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("required", Shape.Names, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("properties", Shape.SchemaMap, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("patternProperties", Shape.SchemaMap, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("additionalProperties", Shape.SchemaOrFlag, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft4),
        ("additionalProperties", Shape.Schema, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("unevaluatedProperties", Shape.Schema, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("propertyNames", Shape.Schema, JsonSchemaDraft.Draft6, JsonSchemaDraft.Draft202012),
        ("dependencies", Shape.Dependencies, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("dependentRequired", Shape.NamesMap, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("dependentSchemas", Shape.SchemaMap, JsonSchemaDraft.Draft201909, JsonSchemaDraft.Draft202012),
        ("allOf", Shape.SchemaList, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("anyOf", Shape.SchemaList, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("oneOf", Shape.SchemaList, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("not", Shape.Schema, JsonSchemaDraft.Draft4, JsonSchemaDraft.Draft202012),
        ("if", Shape.Schema, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("then", Shape.Schema, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
        ("else", Shape.Schema, JsonSchemaDraft.Draft7, JsonSchemaDraft.Draft202012),
    ];

    /// <summary>The meta-schema of <paramref name="draft"/> as JSON.</summary>
    public static JsonElement Get(JsonSchemaDraft draft) => Schemas[Index(draft)].Value;

    /// <summary>The meta-schema of <paramref name="draft"/>, compiled once.</summary>
    public static JsonSchemaDocument Document(JsonSchemaDraft draft) => Documents[Index(draft)].Value;

    private static int Index(JsonSchemaDraft draft) => Array.IndexOf(Enum.GetValues<JsonSchemaDraft>(), draft);

    private static JsonElement Build(JsonSchemaDraft draft)
    {
        var properties = new JsonObject();
        foreach (var (keyword, shape, from, to) in Table)
        {
            if (draft >= from && draft <= to)
            {
                properties[keyword] = Describe(shape, draft);
            }
        }
        var meta = new JsonObject
        {
            ["$schema"] = JsonSchemaDrafts.MetaSchemaUri(draft),
            [JsonSchemaDrafts.IdKeyword(draft)] = JsonSchemaDrafts.MetaSchemaUri(draft),
            ["title"] = $"Strom's meta-schema for JSON Schema {draft}",
            ["type"] = draft == JsonSchemaDraft.Draft4 ? "object" : new JsonArray("object", "boolean"),
            ["properties"] = properties,
        };
        if (draft == JsonSchemaDraft.Draft4)
        {
            // Draft 4's exclusive flags only qualify a bound that is present.
            meta["dependencies"] = new JsonObject { ["exclusiveMaximum"] = new JsonArray("maximum"), ["exclusiveMinimum"] = new JsonArray("minimum") };
        }
        return JsonSerializer.SerializeToElement(meta);
    }

    private static JsonNode Describe(Shape shape, JsonSchemaDraft draft)
    {
        JsonObject Self() => new() { ["$ref"] = "#" };
        JsonObject Typed(string type) => new() { ["type"] = type };
        JsonObject Names()
        {
            var names = new JsonObject { ["type"] = "array", ["items"] = Typed("string"), ["uniqueItems"] = true };
            if (draft == JsonSchemaDraft.Draft4)
            {
                names["minItems"] = 1;
            }
            return names;
        }
        JsonObject SchemaList() => new() { ["type"] = "array", ["minItems"] = 1, ["items"] = Self() };
        return shape switch
        {
            Shape.Schema => Self(),
            Shape.SchemaList => SchemaList(),
            Shape.SchemaMap => new JsonObject { ["type"] = "object", ["additionalProperties"] = Self() },
            Shape.SchemaOrList => new JsonObject { ["anyOf"] = new JsonArray(Self(), SchemaList()) },
            Shape.SchemaOrFlag => new JsonObject { ["anyOf"] = new JsonArray(Typed("boolean"), Self()) },
            Shape.Count => new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
            Shape.Number => Typed("number"),
            Shape.PositiveNumber => draft == JsonSchemaDraft.Draft4
                ? new JsonObject { ["type"] = "number", ["minimum"] = 0, ["exclusiveMinimum"] = true }
                : new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0 },
            Shape.Flag => Typed("boolean"),
            Shape.Text => Typed("string"),
            Shape.Names => Names(),
            Shape.Types => new JsonObject
            {
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["enum"] = new JsonArray([.. TypeNames.Select(t => (JsonNode)t)]) },
                    new JsonObject
                    {
                        ["type"] = "array",
                        ["minItems"] = 1,
                        ["uniqueItems"] = true,
                        ["items"] = new JsonObject { ["enum"] = new JsonArray([.. TypeNames.Select(t => (JsonNode)t)]) },
                    }),
            },
            Shape.List => Typed("array"),
            Shape.Dependencies => new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["anyOf"] = new JsonArray(Self(), Names()) } },
            Shape.NamesMap => new JsonObject { ["type"] = "object", ["additionalProperties"] = Names() },
            Shape.Anchor => new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Za-z_][-A-Za-z0-9._]*$" },
            _ => new JsonObject { ["type"] = "object", ["additionalProperties"] = Typed("boolean") },
        };
    }
}
