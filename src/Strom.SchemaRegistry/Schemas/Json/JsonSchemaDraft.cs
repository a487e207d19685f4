using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>The JSON Schema dialects Strom validates. Ordered: a later draft compares greater.</summary>
public enum JsonSchemaDraft
{
    Draft4 = 4,
    Draft6 = 6,
    Draft7 = 7,
    Draft201909 = 2019,
    Draft202012 = 2020,
}

/// <summary>Choosing the draft from <c>$schema</c>, and the identifiers each draft's meta-schema is known by.</summary>
public static class JsonSchemaDrafts
{
    /// <summary>What a schema without <c>$schema</c> (or with an unknown one) is read as: draft 7, as Confluent does.</summary>
    public const JsonSchemaDraft Default = JsonSchemaDraft.Draft7;

    /// <summary>The draft named by a <c>$schema</c> URI (http or https, with or without the empty fragment); null when unknown.</summary>
    public static JsonSchemaDraft? FromUri(string? uri)
    {
        if (uri is null)
        {
            return null;
        }
        var text = uri.TrimEnd('#');
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        text = scheme < 0 ? text : text[(scheme + 3)..];
        return text switch
        {
            "json-schema.org/draft-04/schema" => JsonSchemaDraft.Draft4,
            "json-schema.org/draft-06/schema" => JsonSchemaDraft.Draft6,
            "json-schema.org/draft-07/schema" => JsonSchemaDraft.Draft7,
            "json-schema.org/draft/2019-09/schema" => JsonSchemaDraft.Draft201909,
            "json-schema.org/draft/2020-12/schema" => JsonSchemaDraft.Draft202012,
            _ => null,
        };
    }

    /// <summary>The draft a schema declares through <c>$schema</c>, or <paramref name="fallback"/>.</summary>
    public static JsonSchemaDraft Of(JsonElement schema, JsonSchemaDraft fallback = Default) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$schema", out var uri) && uri.ValueKind == JsonValueKind.String
            ? FromUri(uri.GetString()) ?? fallback
            : fallback;

    /// <summary>The canonical meta-schema URI of a draft (the one <c>$schema</c> conventionally carries).</summary>
    public static string MetaSchemaUri(JsonSchemaDraft draft) => draft switch
    {
        JsonSchemaDraft.Draft4 => "http://json-schema.org/draft-04/schema#",
        JsonSchemaDraft.Draft6 => "http://json-schema.org/draft-06/schema#",
        JsonSchemaDraft.Draft7 => "http://json-schema.org/draft-07/schema#",
        JsonSchemaDraft.Draft201909 => "https://json-schema.org/draft/2019-09/schema",
        _ => "https://json-schema.org/draft/2020-12/schema",
    };

    /// <summary>The draft's usual name: "draft 7", "2020-12".</summary>
    public static string Name(JsonSchemaDraft draft) => draft switch
    {
        JsonSchemaDraft.Draft201909 => "2019-09",
        JsonSchemaDraft.Draft202012 => "2020-12",
        _ => "draft " + (int)draft,
    };

    /// <summary>The keyword that gives a schema its base URI: draft 4 spells it "id".</summary>
    internal static string IdKeyword(JsonSchemaDraft draft) => draft == JsonSchemaDraft.Draft4 ? "id" : "$id";
}
