using System.Text.Json;

namespace Strom.Avro;

/// <summary>
/// Parses Avro schema JSON (specification 1.11, "Schema Declaration"). One parser holds one table of
/// named types, so schemas parsed earlier (Schema Registry references) can be referred to by name in
/// later ones. Parsing is strict where the specification is: names, duplicate definitions, union
/// rules, and defaults are checked; logical types that do not fit their base type are ignored, as
/// the specification requires.
/// </summary>
public sealed class SchemaParser
{
    /// <summary>Deepest JSON nesting accepted; deeper input is rejected rather than risking the stack.</summary>
    public const int MaxDepth = 512;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    private static readonly HashSet<string> ReservedAttributes =
        ["type", "name", "namespace", "doc", "aliases", "fields", "symbols", "items", "values", "size", "default"];

    private readonly Dictionary<string, NamedSchema> _names = new(StringComparer.Ordinal);

    /// <summary>Every named type defined so far, by full name.</summary>
    public IReadOnlyDictionary<string, NamedSchema> NamedTypes => _names;

    /// <summary>Parses one schema; its named types join this parser's table.</summary>
    public Schema Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            return ThrowHelper.Schema<Schema>("Invalid JSON: " + e.Message);
        }
        using (document)
        {
            // Keep the table unchanged when a schema fails halfway.
            var snapshot = new Dictionary<string, NamedSchema>(_names, StringComparer.Ordinal);
            try
            {
                return ParseSchema(document.RootElement, null, 0);
            }
            catch
            {
                _names.Clear();
                foreach (var (k, v) in snapshot)
                {
                    _names[k] = v;
                }
                throw;
            }
        }
    }

    private Schema ParseSchema(JsonElement json, string? enclosingNamespace, int depth)
    {
        if (depth > MaxDepth)
        {
            ThrowHelper.Schema("Schema nesting is too deep");
        }
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                return ResolveTypeName(json.GetString()!, enclosingNamespace);
            case JsonValueKind.Array:
                return ParseUnion(json, enclosingNamespace, depth);
            case JsonValueKind.Object:
                return ParseObject(json, enclosingNamespace, depth);
            default:
                return ThrowHelper.Schema<Schema>($"Not a schema: {Abbreviate(json)}");
        }
    }

    private Schema ResolveTypeName(string name, string? enclosingNamespace)
    {
        if (TryPrimitive(name, out var primitive))
        {
            return PrimitiveSchema.Get(primitive);
        }
        if (name.Contains('.', StringComparison.Ordinal) || enclosingNamespace is null)
        {
            return _names.TryGetValue(name, out var direct) ? direct : ThrowHelper.Schema<Schema>($"Undefined name: \"{name}\"");
        }
        if (_names.TryGetValue(enclosingNamespace + "." + name, out var inNamespace))
        {
            return inNamespace;
        }
        return _names.TryGetValue(name, out var global) ? global : ThrowHelper.Schema<Schema>($"Undefined name: \"{name}\"");
    }

    private UnionSchema ParseUnion(JsonElement json, string? enclosingNamespace, int depth)
    {
        var branches = new List<Schema>(json.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in json.EnumerateArray())
        {
            var branch = ParseSchema(item, enclosingNamespace, depth + 1);
            if (branch.Type == AvroType.Union)
            {
                ThrowHelper.Schema("Unions may not immediately contain other unions");
            }
            var key = branch is NamedSchema named ? named.FullName : branch.TypeName;
            if (!seen.Add(key))
            {
                ThrowHelper.Schema($"Duplicate in union: {key}");
            }
            branches.Add(branch);
        }
        return new UnionSchema(branches);
    }

    private Schema ParseObject(JsonElement json, string? enclosingNamespace, int depth)
    {
        if (!json.TryGetProperty("type", out var typeElement))
        {
            return ThrowHelper.Schema<Schema>($"No type: {Abbreviate(json)}");
        }
        if (typeElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            return ParseSchema(typeElement, enclosingNamespace, depth + 1);
        }
        if (typeElement.ValueKind != JsonValueKind.String)
        {
            return ThrowHelper.Schema<Schema>($"Type is not a string: {Abbreviate(json)}");
        }
        var type = typeElement.GetString()!;
        Schema schema;
        switch (type)
        {
            case "record" or "error":
                schema = ParseRecord(json, enclosingNamespace, type == "error", depth);
                break;
            case "enum":
                schema = ParseEnum(json, enclosingNamespace);
                break;
            case "fixed":
                schema = ParseFixed(json, enclosingNamespace);
                break;
            case "array":
                schema = new ArraySchema(ParseSchema(Required(json, "items", "array"), enclosingNamespace, depth + 1));
                break;
            case "map":
                schema = new MapSchema(ParseSchema(Required(json, "values", "map"), enclosingNamespace, depth + 1));
                break;
            default:
                if (TryPrimitive(type, out var primitive))
                {
                    var props = ReadProps(json);
                    if (props.Count == 0)
                    {
                        return PrimitiveSchema.Get(primitive);
                    }
                    schema = new PrimitiveSchema(primitive) { Props = props };
                    schema.LogicalType = LogicalTypes.FromSchema(schema, json);
                    return schema;
                }
                // A reference to a named type in object form: {"type": "com.example.Thing"}.
                return ResolveTypeName(type, enclosingNamespace);
        }
        schema.Props = ReadProps(json);
        schema.LogicalType = LogicalTypes.FromSchema(schema, json);
        return schema;
    }

    private RecordSchema ParseRecord(JsonElement json, string? enclosingNamespace, bool isError, int depth)
    {
        var name = ReadName(json, enclosingNamespace, "record");
        var record = new RecordSchema(name, ReadAliases(json, name.Namespace), OptionalString(json, "doc"), isError);
        Define(record);
        var fieldsElement = Required(json, "fields", "record");
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            ThrowHelper.Schema($"Record {name} has no fields array");
        }
        var fields = new List<Field>(fieldsElement.GetArrayLength());
        var fieldNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fieldsElement.EnumerateArray())
        {
            if (f.ValueKind != JsonValueKind.Object)
            {
                ThrowHelper.Schema($"Field of record {name} is not an object: {Abbreviate(f)}");
            }
            var fieldName = OptionalString(f, "name") ?? ThrowHelper.Schema<string>($"Field of record {name} has no name");
            ValidateSimpleName(fieldName, "field");
            if (!fieldNames.Add(fieldName))
            {
                ThrowHelper.Schema($"Duplicate field {fieldName} in record {name}");
            }
            var fieldType = ParseSchema(Required(f, "type", $"field {fieldName}"), name.Namespace, depth + 1);
            JsonElement? defaultValue = null;
            if (f.TryGetProperty("default", out var d))
            {
                if (!DefaultValues.IsValid(fieldType, d))
                {
                    ThrowHelper.Schema($"Invalid default for field {fieldName}: {Abbreviate(d)} not a {SchemaWriter.ToJson(fieldType)}");
                }
                defaultValue = d.Clone();
            }
            var order = OptionalString(f, "order") switch
            {
                null or "ascending" => SortOrder.Ascending,
                "descending" => SortOrder.Descending,
                "ignore" => SortOrder.Ignore,
                var other => ThrowHelper.Schema<SortOrder>($"Invalid order for field {fieldName}: {other}"),
            };
            var aliases = ReadStringArray(f, "aliases");
            foreach (var alias in aliases)
            {
                ValidateSimpleName(alias, "field alias");
            }
            fields.Add(new Field(fieldName, fields.Count, fieldType, defaultValue, order, aliases, OptionalString(f, "doc"), ReadFieldProps(f)));
        }
        record.SetFields(fields);
        return record;
    }

    private EnumSchema ParseEnum(JsonElement json, string? enclosingNamespace)
    {
        var name = ReadName(json, enclosingNamespace, "enum");
        if (!json.TryGetProperty("symbols", out var symbolsElement) || symbolsElement.ValueKind != JsonValueKind.Array)
        {
            return ThrowHelper.Schema<EnumSchema>($"Enum {name} has no symbols array");
        }
        var symbols = new List<string>(symbolsElement.GetArrayLength());
        var unique = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in symbolsElement.EnumerateArray())
        {
            var symbol = s.ValueKind == JsonValueKind.String ? s.GetString()! : ThrowHelper.Schema<string>($"Enum {name} symbol is not a string");
            ValidateSimpleName(symbol, "enum symbol");
            if (!unique.Add(symbol))
            {
                ThrowHelper.Schema($"Duplicate enum symbol {symbol} in {name}");
            }
            symbols.Add(symbol);
        }
        var defaultSymbol = OptionalString(json, "default");
        if (defaultSymbol is not null && !unique.Contains(defaultSymbol))
        {
            ThrowHelper.Schema($"The enum default {defaultSymbol} is not one of the symbols of {name}");
        }
        var schema = new EnumSchema(name, ReadAliases(json, name.Namespace), OptionalString(json, "doc"), symbols, defaultSymbol);
        Define(schema);
        return schema;
    }

    private FixedSchema ParseFixed(JsonElement json, string? enclosingNamespace)
    {
        var name = ReadName(json, enclosingNamespace, "fixed");
        var sizeElement = Required(json, "size", "fixed");
        if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out var size) || size < 0)
        {
            return ThrowHelper.Schema<FixedSchema>($"Invalid size for fixed {name}: {Abbreviate(sizeElement)}");
        }
        var schema = new FixedSchema(name, ReadAliases(json, name.Namespace), OptionalString(json, "doc"), size);
        Define(schema);
        return schema;
    }

    private void Define(NamedSchema schema)
    {
        if (!_names.TryAdd(schema.FullName, schema))
        {
            ThrowHelper.Schema($"Can't redefine: {schema.FullName}");
        }
    }

    private static SchemaName ReadName(JsonElement json, string? enclosingNamespace, string what)
    {
        var name = OptionalString(json, "name") ?? ThrowHelper.Schema<string>($"No name in {what}: {Abbreviate(json)}");
        var explicitNamespace = json.TryGetProperty("namespace", out var ns)
            ? ns.ValueKind switch
            {
                JsonValueKind.String => ns.GetString(),
                JsonValueKind.Null => "",
                _ => ThrowHelper.Schema<string>($"Namespace of {name} is not a string"),
            }
            : null;
        var resolved = SchemaName.Resolve(name, explicitNamespace, enclosingNamespace);
        ValidateSimpleName(resolved.Name, "name");
        if (resolved.Namespace is not null)
        {
            foreach (var part in resolved.Namespace.Split('.'))
            {
                ValidateSimpleName(part, "namespace part");
            }
        }
        if (resolved.Namespace is null && TryPrimitive(resolved.Name, out _))
        {
            ThrowHelper.Schema($"Schemas may not be named after primitives: {resolved.Name}");
        }
        return resolved;
    }

    private static IReadOnlyList<string> ReadAliases(JsonElement json, string? ns)
    {
        var aliases = ReadStringArray(json, "aliases");
        if (aliases.Count == 0)
        {
            return aliases;
        }
        var full = new string[aliases.Count];
        for (var i = 0; i < full.Length; i++)
        {
            var resolved = SchemaName.Resolve(aliases[i], null, ns);
            ValidateSimpleName(resolved.Name, "alias");
            full[i] = resolved.FullName;
        }
        return full;
    }

    private static IReadOnlyList<string> ReadStringArray(JsonElement json, string property)
    {
        if (!json.TryGetProperty(property, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            return ThrowHelper.Schema<IReadOnlyList<string>>($"{property} is not an array of strings");
        }
        var result = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            result.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : ThrowHelper.Schema<string>($"{property} is not an array of strings"));
        }
        return result;
    }

    private static IReadOnlyList<KeyValuePair<string, JsonElement>> ReadProps(JsonElement json)
    {
        List<KeyValuePair<string, JsonElement>>? props = null;
        foreach (var p in json.EnumerateObject())
        {
            if (!ReservedAttributes.Contains(p.Name))
            {
                (props ??= []).Add(new(p.Name, p.Value.Clone()));
            }
        }
        return props ?? (IReadOnlyList<KeyValuePair<string, JsonElement>>)[];
    }

    private static IReadOnlyList<KeyValuePair<string, JsonElement>> ReadFieldProps(JsonElement json)
    {
        List<KeyValuePair<string, JsonElement>>? props = null;
        foreach (var p in json.EnumerateObject())
        {
            if (p.Name is not ("name" or "type" or "doc" or "default" or "order" or "aliases"))
            {
                (props ??= []).Add(new(p.Name, p.Value.Clone()));
            }
        }
        return props ?? (IReadOnlyList<KeyValuePair<string, JsonElement>>)[];
    }

    private static JsonElement Required(JsonElement json, string property, string what) =>
        json.TryGetProperty(property, out var value) ? value : ThrowHelper.Schema<JsonElement>($"No \"{property}\" in {what}: {Abbreviate(json)}");

    private static string? OptionalString(JsonElement json, string property) =>
        !json.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : ThrowHelper.Schema<string>($"\"{property}\" is not a string: {Abbreviate(json)}");

    /// <summary>Names start with [A-Za-z_] and continue with [A-Za-z0-9_] (spec "Names").</summary>
    internal static void ValidateSimpleName(string name, string what)
    {
        if (!IsValidName(name))
        {
            ThrowHelper.Schema($"Illegal {what}: \"{name}\"");
        }
    }

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (var c in name.AsSpan(1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    internal static bool TryPrimitive(string name, out AvroType type)
    {
        type = name switch
        {
            "null" => AvroType.Null,
            "boolean" => AvroType.Boolean,
            "int" => AvroType.Int,
            "long" => AvroType.Long,
            "float" => AvroType.Float,
            "double" => AvroType.Double,
            "bytes" => AvroType.Bytes,
            "string" => AvroType.String,
            _ => AvroType.Record,
        };
        return type != AvroType.Record;
    }

    private static string Abbreviate(JsonElement json)
    {
        var text = json.GetRawText();
        return text.Length <= 200 ? text : text[..200] + "...";
    }
}
