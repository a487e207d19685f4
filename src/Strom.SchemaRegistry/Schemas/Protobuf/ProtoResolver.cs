namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>
/// Resolves field types of a parsed file against its own types, its references (other registered
/// .proto files, imported by reference name) and the well-known files every protobuf runtime ships
/// (google/protobuf/*, google/type/*, confluent/*). Name lookup follows protobuf's scoping: a
/// relative name is searched from the innermost enclosing scope outwards; a leading dot is absolute.
/// </summary>
public sealed class ProtoSchema
{
    private readonly Dictionary<string, object> _types;

    private ProtoSchema(ProtoFile file, Dictionary<string, object> types)
    {
        File = file;
        _types = types;
    }

    public ProtoFile File { get; }

    /// <summary>A message of this file or of any file it can see, by full name (no leading dot).</summary>
    public ProtoMessage? FindMessage(string fullName) => _types.GetValueOrDefault(fullName.TrimStart('.')) as ProtoMessage;

    public bool IsEnum(string fullName) => _types.GetValueOrDefault(fullName) is ProtoEnum or WellKnownEnum;

    /// <summary>Parses and resolves <paramref name="text"/>; <paramref name="references"/> are the imported files (name = import path).</summary>
    public static ProtoSchema Parse(string text, IReadOnlyList<(string Name, string Schema)> references) =>
        Resolve(ProtoParser.Parse(text), references);

    /// <summary>
    /// Decodes a FileDescriptorProto into the model, prints it as text and parses that text: a
    /// descriptor passes exactly the checks a .proto file does.
    /// </summary>
    public static ProtoSchema FromDescriptor(ReadOnlySpan<byte> descriptor, IReadOnlyList<(string Name, string Schema)> references) =>
        Parse(ProtoPrinter.Print(Descriptors.FileDescriptorReader.Decode(descriptor)), references);

    /// <summary>Parses .proto text or, when <paramref name="schema"/> is base64, a FileDescriptorProto (Confluent accepts both).</summary>
    public static ProtoSchema ParseAny(string schema, IReadOnlyList<(string Name, string Schema)> references) =>
        Descriptors.FileDescriptorReader.FromBase64(schema) is { } bytes ? FromDescriptor(bytes, references) : Parse(schema, references);

    /// <summary>The .proto text of this schema, type names as short as they resolve (the registry's stored form).</summary>
    public string ToText() => ProtoPrinter.Print(File, Shorten);

    /// <summary>This schema as a FileDescriptorProto (the registry's format=serialized).</summary>
    public byte[] ToDescriptor(string fileName = Descriptors.FileDescriptorWriter.DefaultFileName) =>
        Descriptors.FileDescriptorWriter.Encode(this, fileName);

    /// <summary>The shortest suffix of <paramref name="fullName"/> that resolves back to it from <paramref name="scope"/>.</summary>
    private string Shorten(string fullName, string scope)
    {
        var start = fullName.Length;
        while (start > 0)
        {
            start = fullName.LastIndexOf('.', start - 1) + 1;
            var candidate = fullName[start..];
            if (TryResolve(candidate, scope) == fullName)
            {
                return candidate;
            }
            start--;
        }
        return "." + fullName;
    }

    private string? TryResolve(string name, string scope)
    {
        try
        {
            return ProtoResolver.Resolve(name, scope, _types);
        }
        catch (SchemaInvalidException)
        {
            return null;
        }
    }

    /// <summary>An rpc type as written, fully qualified with a leading dot (resolved from the package when it can be).</summary>
    internal string QualifyTopLevel(string name) =>
        name.StartsWith('.') ? name : TryResolve(name, File.Package) is { } full ? "." + full : "." + name;

    private static ProtoSchema Resolve(ProtoFile file, IReadOnlyList<(string Name, string Schema)> references)
    {
        var types = new Dictionary<string, object>(StringComparer.Ordinal);
        var referenceNames = references.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var import in file.Imports)
        {
            if (!referenceNames.Contains(import) && !ProtoResolver.WellKnownFiles.ContainsKey(import))
            {
                throw new SchemaInvalidException($"Import {import} is not among the schema references");
            }
        }
        foreach (var (name, schema) in references)
        {
            ProtoFile referenced;
            try
            {
                referenced = ProtoParser.Parse(schema);
            }
            catch (SchemaInvalidException e)
            {
                throw new SchemaInvalidException($"Referenced schema {name} is invalid: {e.Message}");
            }
            ProtoResolver.AddTypes(referenced, types);
        }
        foreach (var wellKnown in file.Imports.SelectMany(i => ProtoResolver.WellKnownFiles.GetValueOrDefault(i) ?? []))
        {
            types.TryAdd(wellKnown.FullName, wellKnown.IsEnum ? new WellKnownEnum() : new ProtoMessage(wellKnown.FullName[(wellKnown.FullName.LastIndexOf('.') + 1)..], wellKnown.FullName));
        }
        ProtoResolver.AddTypes(file, types, replace: true);
        foreach (var message in file.AllMessages())
        {
            foreach (var field in message.Fields)
            {
                if (field.Map is { } map)
                {
                    field.Map = (map.Key, map.Value, ProtoResolver.IsScalar(map.Value) ? null : ProtoResolver.Resolve(map.Value, message.FullName, types));
                }
                else if (!ProtoResolver.IsScalar(field.Type))
                {
                    field.ResolvedType = ProtoResolver.Resolve(field.Type, message.FullName, types);
                }
            }
        }
        return new ProtoSchema(file, types);
    }

    internal sealed class WellKnownEnum;
}

internal static class ProtoResolver
{
    private static readonly HashSet<string> Scalars = new(StringComparer.Ordinal)
    {
        "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
        "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
    };

    public static bool IsScalar(string type) => Scalars.Contains(type);

    /// <summary>The well-known files by import path, with the types they declare (enums marked).</summary>
    public static readonly Dictionary<string, (string FullName, bool IsEnum)[]> WellKnownFiles = BuildWellKnown();

    public static void AddTypes(ProtoFile file, Dictionary<string, object> types, bool replace = false)
    {
        foreach (var message in file.AllMessages())
        {
            Add(message.FullName, message);
        }
        foreach (var e in file.AllEnums())
        {
            Add(e.FullName, e);
        }

        void Add(string name, object type)
        {
            if (replace)
            {
                types[name] = type;
            }
            else
            {
                types.TryAdd(name, type);
            }
        }
    }

    public static string Resolve(string name, string scope, Dictionary<string, object> types)
    {
        if (name.StartsWith('.'))
        {
            return types.ContainsKey(name[1..]) ? name[1..] : throw Unknown(name);
        }
        var current = scope;
        while (true)
        {
            var candidate = current.Length == 0 ? name : current + "." + name;
            if (types.ContainsKey(candidate))
            {
                return candidate;
            }
            if (current.Length == 0)
            {
                throw Unknown(name);
            }
            var dot = current.LastIndexOf('.');
            current = dot < 0 ? "" : current[..dot];
        }
    }

    private static SchemaInvalidException Unknown(string name) => new($"Unknown type {name}");

    private static Dictionary<string, (string, bool)[]> BuildWellKnown()
    {
        static (string, bool)[] Messages(string package, params string[] names) => names.Select(n => (package + "." + n, false)).ToArray();
        static (string, bool)[] Enums(string package, params string[] names) => names.Select(n => (package + "." + n, true)).ToArray();
        const string pb = "google.protobuf";
        const string gt = "google.type";
        return new(StringComparer.Ordinal)
        {
            ["google/protobuf/any.proto"] = Messages(pb, "Any"),
            ["google/protobuf/api.proto"] = Messages(pb, "Api", "Method", "Mixin"),
            ["google/protobuf/duration.proto"] = Messages(pb, "Duration"),
            ["google/protobuf/empty.proto"] = Messages(pb, "Empty"),
            ["google/protobuf/field_mask.proto"] = Messages(pb, "FieldMask"),
            ["google/protobuf/source_context.proto"] = Messages(pb, "SourceContext"),
            ["google/protobuf/struct.proto"] = [.. Messages(pb, "Struct", "Value", "ListValue"), .. Enums(pb, "NullValue")],
            ["google/protobuf/timestamp.proto"] = Messages(pb, "Timestamp"),
            ["google/protobuf/type.proto"] = [.. Messages(pb, "Type", "Field", "Enum", "EnumValue", "Option"), .. Enums(pb, "Syntax", "Field.Kind", "Field.Cardinality")],
            ["google/protobuf/wrappers.proto"] = Messages(pb, "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value",
                "BoolValue", "StringValue", "BytesValue"),
            ["google/protobuf/descriptor.proto"] = Messages(pb, "FileDescriptorSet", "FileDescriptorProto", "DescriptorProto", "FieldDescriptorProto",
                "OneofDescriptorProto", "EnumDescriptorProto", "EnumValueDescriptorProto", "ServiceDescriptorProto", "MethodDescriptorProto",
                "FileOptions", "MessageOptions", "FieldOptions", "OneofOptions", "EnumOptions", "EnumValueOptions", "ServiceOptions",
                "MethodOptions", "UninterpretedOption", "SourceCodeInfo", "GeneratedCodeInfo"),
            ["google/type/calendar_period.proto"] = Enums(gt, "CalendarPeriod"),
            ["google/type/color.proto"] = Messages(gt, "Color"),
            ["google/type/date.proto"] = Messages(gt, "Date"),
            ["google/type/datetime.proto"] = Messages(gt, "DateTime", "TimeZone"),
            ["google/type/dayofweek.proto"] = Enums(gt, "DayOfWeek"),
            ["google/type/decimal.proto"] = Messages(gt, "Decimal"),
            ["google/type/expr.proto"] = Messages(gt, "Expr"),
            ["google/type/fraction.proto"] = Messages(gt, "Fraction"),
            ["google/type/interval.proto"] = Messages(gt, "Interval"),
            ["google/type/latlng.proto"] = Messages(gt, "LatLng"),
            ["google/type/localized_text.proto"] = Messages(gt, "LocalizedText"),
            ["google/type/money.proto"] = Messages(gt, "Money"),
            ["google/type/month.proto"] = Enums(gt, "Month"),
            ["google/type/phone_number.proto"] = Messages(gt, "PhoneNumber"),
            ["google/type/postal_address.proto"] = Messages(gt, "PostalAddress"),
            ["google/type/quaternion.proto"] = Messages(gt, "Quaternion"),
            ["google/type/timeofday.proto"] = Messages(gt, "TimeOfDay"),
            ["confluent/meta.proto"] = Messages("confluent", "Meta"),
            ["confluent/type/decimal.proto"] = Messages("confluent.type", "Decimal"),
        };
    }
}
