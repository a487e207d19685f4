using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Strom.Avro;

/// <summary>
/// Writes schemas back to JSON in two forms. The full form keeps every attribute (docs, defaults,
/// aliases, logical types, custom properties) compactly, as Avro's own Schema.toString does; the
/// Schema Registry stores and compares schemas in it. The Parsing Canonical Form (spec "Parsing
/// Canonical Form for Schemas") keeps only what affects how data is read: full names, and the
/// attributes type, name, fields, symbols, items, values, size in that order, without whitespace.
/// </summary>
public static class SchemaWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = SchemaParser.MaxDepth + 16,
    };

    public static string ToJson(Schema schema) => ToJson(schema, []);

    /// <summary>
    /// The full form, writing the named types in <paramref name="known"/> (defined by referenced
    /// schemas) by name only.
    /// </summary>
    public static string ToJson(Schema schema, IEnumerable<string> known)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteFull(writer, schema, new HashSet<string>(known, StringComparer.Ordinal), null, normalized: false);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The full form made insensitive to cosmetic choices: named types referred to by full name and
    /// custom properties in key order (Schema Registry's normalize=true).
    /// </summary>
    public static string ToNormalizedJson(Schema schema, IEnumerable<string> known)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteFull(writer, schema, new HashSet<string>(known, StringComparer.Ordinal), null, normalized: true);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string ToCanonicalForm(Schema schema)
    {
        var sb = new StringBuilder();
        WriteCanonical(sb, schema, new HashSet<string>(StringComparer.Ordinal));
        return sb.ToString();
    }

    private static void WriteFull(Utf8JsonWriter w, Schema schema, HashSet<string> written, string? ns, bool normalized)
    {
        switch (schema)
        {
            case PrimitiveSchema p:
                if (p.Props.Count == 0)
                {
                    w.WriteStringValue(p.TypeName);
                    return;
                }
                w.WriteStartObject();
                w.WriteString("type", p.TypeName);
                WriteProps(w, p.Props, normalized);
                w.WriteEndObject();
                return;
            case NamedSchema named when !written.Add(named.FullName):
                w.WriteStringValue(named.Namespace == ns && !normalized ? named.Name : named.FullName);
                return;
            case RecordSchema r:
                w.WriteStartObject();
                w.WriteString("type", r.IsError ? "error" : "record");
                WriteName(w, r, ns);
                WriteDoc(w, r.Doc);
                w.WritePropertyName("fields");
                w.WriteStartArray();
                foreach (var f in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("type");
                    WriteFull(w, f.Schema, written, r.Namespace, normalized);
                    WriteDoc(w, f.Doc);
                    if (f.Default is { } d)
                    {
                        w.WritePropertyName("default");
                        d.WriteTo(w);
                    }
                    if (f.Order != SortOrder.Ascending)
                    {
                        w.WriteString("order", f.Order == SortOrder.Descending ? "descending" : "ignore");
                    }
                    if (f.Aliases.Count > 0)
                    {
                        w.WritePropertyName("aliases");
                        w.WriteStartArray();
                        foreach (var a in f.Aliases)
                        {
                            w.WriteStringValue(a);
                        }
                        w.WriteEndArray();
                    }
                    WriteProps(w, f.Props, normalized);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteProps(w, r.Props, normalized);
                WriteAliases(w, r);
                w.WriteEndObject();
                return;
            case EnumSchema e:
                w.WriteStartObject();
                w.WriteString("type", "enum");
                WriteName(w, e, ns);
                WriteDoc(w, e.Doc);
                w.WritePropertyName("symbols");
                w.WriteStartArray();
                foreach (var s in e.Symbols)
                {
                    w.WriteStringValue(s);
                }
                w.WriteEndArray();
                if (e.Default is not null)
                {
                    w.WriteString("default", e.Default);
                }
                WriteProps(w, e.Props, normalized);
                WriteAliases(w, e);
                w.WriteEndObject();
                return;
            case FixedSchema x:
                w.WriteStartObject();
                w.WriteString("type", "fixed");
                WriteName(w, x, ns);
                WriteDoc(w, x.Doc);
                w.WriteNumber("size", x.Size);
                WriteProps(w, x.Props, normalized);
                WriteAliases(w, x);
                w.WriteEndObject();
                return;
            case ArraySchema a:
                w.WriteStartObject();
                w.WriteString("type", "array");
                w.WritePropertyName("items");
                WriteFull(w, a.Items, written, ns, normalized);
                WriteProps(w, a.Props, normalized);
                w.WriteEndObject();
                return;
            case MapSchema m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WritePropertyName("values");
                WriteFull(w, m.Values, written, ns, normalized);
                WriteProps(w, m.Props, normalized);
                w.WriteEndObject();
                return;
            case UnionSchema u:
                w.WriteStartArray();
                foreach (var b in u.Branches)
                {
                    WriteFull(w, b, written, ns, normalized);
                }
                w.WriteEndArray();
                return;
        }
    }

    private static void WriteName(Utf8JsonWriter w, NamedSchema schema, string? enclosing)
    {
        w.WriteString("name", schema.Name);
        if (schema.Namespace != enclosing)
        {
            w.WriteString("namespace", schema.Namespace ?? "");
        }
    }

    private static void WriteDoc(Utf8JsonWriter w, string? doc)
    {
        if (doc is not null)
        {
            w.WriteString("doc", doc);
        }
    }

    private static void WriteAliases(Utf8JsonWriter w, NamedSchema schema)
    {
        if (schema.Aliases.Count == 0)
        {
            return;
        }
        w.WritePropertyName("aliases");
        w.WriteStartArray();
        foreach (var alias in schema.Aliases)
        {
            var dot = alias.LastIndexOf('.');
            var aliasNamespace = dot < 0 ? null : alias[..dot];
            w.WriteStringValue(aliasNamespace == schema.Namespace ? alias[(dot + 1)..] : alias);
        }
        w.WriteEndArray();
    }

    private static void WriteProps(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<string, JsonElement>> props, bool normalized)
    {
        foreach (var (key, value) in normalized ? props.OrderBy(p => p.Key, StringComparer.Ordinal) : (IEnumerable<KeyValuePair<string, JsonElement>>)props)
        {
            w.WritePropertyName(key);
            value.WriteTo(w);
        }
    }

    private static void WriteCanonical(StringBuilder sb, Schema schema, HashSet<string> written)
    {
        switch (schema)
        {
            case PrimitiveSchema p:
                sb.Append('"').Append(p.TypeName).Append('"');
                return;
            case NamedSchema named when !written.Add(named.FullName):
                sb.Append('"').Append(named.FullName).Append('"');
                return;
            case RecordSchema r:
                sb.Append("{\"name\":\"").Append(r.FullName).Append("\",\"type\":\"record\",\"fields\":[");
                for (var i = 0; i < r.Fields.Count; i++)
                {
                    sb.Append(i > 0 ? "," : "").Append("{\"name\":\"").Append(r.Fields[i].Name).Append("\",\"type\":");
                    WriteCanonical(sb, r.Fields[i].Schema, written);
                    sb.Append('}');
                }
                sb.Append("]}");
                return;
            case EnumSchema e:
                sb.Append("{\"name\":\"").Append(e.FullName).Append("\",\"type\":\"enum\",\"symbols\":[");
                for (var i = 0; i < e.Symbols.Count; i++)
                {
                    sb.Append(i > 0 ? "," : "").Append('"').Append(e.Symbols[i]).Append('"');
                }
                sb.Append("]}");
                return;
            case FixedSchema x:
                sb.Append("{\"name\":\"").Append(x.FullName).Append("\",\"type\":\"fixed\",\"size\":").Append(x.Size).Append('}');
                return;
            case ArraySchema a:
                sb.Append("{\"type\":\"array\",\"items\":");
                WriteCanonical(sb, a.Items, written);
                sb.Append('}');
                return;
            case MapSchema m:
                sb.Append("{\"type\":\"map\",\"values\":");
                WriteCanonical(sb, m.Values, written);
                sb.Append('}');
                return;
            case UnionSchema u:
                sb.Append('[');
                for (var i = 0; i < u.Branches.Count; i++)
                {
                    sb.Append(i > 0 ? "," : "");
                    WriteCanonical(sb, u.Branches[i], written);
                }
                sb.Append(']');
                return;
        }
    }
}
