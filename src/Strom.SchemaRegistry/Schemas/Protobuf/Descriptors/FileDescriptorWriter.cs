using System.Globalization;
using System.Text;

namespace Strom.SchemaRegistry.Schemas.Protobuf.Descriptors;

/// <summary>
/// Encodes a resolved schema as a google.protobuf.FileDescriptorProto (descriptor.proto), the
/// "serialized" form of Confluent's registry API (?format=serialized) and what protobuf runtimes
/// build types from. Laid out as protoc writes it, fields in field-number order:
/// FileDescriptorProto  name=1 package=2 dependency=3* message_type=4* enum_type=5* service=6*
///                      options=8 public_dependency=10* weak_dependency=11* syntax=12 (omitted for proto2)
/// DescriptorProto      name=1 field=2* nested_type=3* enum_type=4* extension_range=5*{start=1 end=2, exclusive}
///                      options=7 oneof_decl=8*{name=1} reserved_range=9*{start=1 end=2, exclusive} reserved_name=10*
/// FieldDescriptorProto name=1 number=3 label=4 type=5 type_name=6 (".full.Name") default_value=7 options=8
///                      oneof_index=9 json_name=10 (always, as protoc) proto3_optional=17
/// EnumDescriptorProto  name=1 value=2*{name=1 number=2 options=3} options=3 reserved_range=4*{inclusive} reserved_name=5*
/// ServiceDescriptorProto name=1 method=2*{name=1 input_type=2 output_type=3 options=4 client_streaming=5 server_streaming=6} options=3
/// A map field is a repeated field of a nested "FooEntry" message (key=1, value=2, options map_entry),
/// placed among the nested types where the map was declared; a proto3 optional field sits alone in a
/// synthetic oneof "_name" declared after the real ones.
/// </summary>
internal static class FileDescriptorWriter
{
    /// <summary>The file name given to a registered schema, which has none of its own.</summary>
    public const string DefaultFileName = "default.proto";

    private static readonly Dictionary<string, int> ScalarTypes = new(StringComparer.Ordinal)
    {
        ["double"] = 1, ["float"] = 2, ["int64"] = 3, ["uint64"] = 4, ["int32"] = 5, ["fixed64"] = 6, ["fixed32"] = 7,
        ["bool"] = 8, ["string"] = 9, ["bytes"] = 12, ["uint32"] = 13, ["sfixed32"] = 15, ["sfixed64"] = 16,
        ["sint32"] = 17, ["sint64"] = 18,
    };

    public static string? ScalarName(int type) => ScalarTypes.FirstOrDefault(p => p.Value == type).Key;

    public static byte[] Encode(ProtoSchema schema, string fileName = DefaultFileName)
    {
        var file = schema.File;
        var w = new ProtoWriter();
        w.String(1, fileName);
        if (file.Package.Length > 0)
        {
            w.String(2, file.Package);
        }
        foreach (var import in file.Imports)
        {
            w.String(3, import);
        }
        foreach (var message in file.Messages)
        {
            w.Message(4, m => Message(m, message, schema));
        }
        foreach (var e in file.Enums)
        {
            w.Message(5, m => Enum(m, e));
        }
        foreach (var service in file.Services)
        {
            w.Message(6, m => Service(m, service, schema));
        }
        DescriptorOptions.Write(w, 8, OptionScope.File, file.Options);
        for (var i = 0; i < file.Imports.Count; i++)
        {
            if (file.PublicImports.Contains(file.Imports[i]))
            {
                w.VarInt(10, i);
            }
        }
        for (var i = 0; i < file.Imports.Count; i++)
        {
            if (file.WeakImports.Contains(file.Imports[i]))
            {
                w.VarInt(11, i);
            }
        }
        if (file.Syntax == "proto3")
        {
            w.String(12, "proto3");
        }
        return w.Written.ToArray();
    }

    private static void Message(ProtoWriter w, ProtoMessage message, ProtoSchema schema)
    {
        w.String(1, message.Name);
        var synthetic = new List<string>();
        foreach (var field in message.Fields)
        {
            int? oneOf = field.OneOf is null ? null : message.OneOfs.IndexOf(field.OneOf);
            var proto3Optional = schema.File.Syntax == "proto3" && field.Label == "optional";
            if (proto3Optional)
            {
                oneOf = message.OneOfs.Count + synthetic.Count;
                synthetic.Add(SyntheticOneOfName(message, field.Name));
            }
            w.Message(2, f => Field(f, field, message, schema, oneOf, proto3Optional));
        }
        var maps = message.Fields.Where(f => f.Map is not null).ToList();
        for (var i = 0; i <= message.Nested.Count; i++)
        {
            foreach (var map in maps.Where(f => f.NestedBefore == i || (i == message.Nested.Count && f.NestedBefore > i)))
            {
                w.Message(3, m => MapEntry(m, map, schema));
            }
            if (i < message.Nested.Count)
            {
                var nested = message.Nested[i];
                w.Message(3, m => Message(m, nested, schema));
            }
        }
        foreach (var e in message.Enums)
        {
            w.Message(4, m => Enum(m, e));
        }
        foreach (var range in message.ExtensionRanges)
        {
            w.Message(5, r => Range(r, range.Start, range.End + 1));
        }
        DescriptorOptions.Write(w, 7, OptionScope.Message, message.Options);
        foreach (var name in message.OneOfs.Concat(synthetic))
        {
            w.Message(8, o => o.String(1, name));
        }
        foreach (var range in message.ReservedRanges)
        {
            w.Message(9, r => Range(r, range.Start, range.End + 1));
        }
        foreach (var name in message.ReservedNames)
        {
            w.String(10, name);
        }
    }

    private static void Field(ProtoWriter w, ProtoField field, ProtoMessage message, ProtoSchema schema, int? oneOf, bool proto3Optional)
    {
        w.String(1, field.Name);
        w.VarInt(3, field.Number);
        w.VarInt(4, field.Map is not null || field.Label == "repeated" ? 3 : field.Label == "required" ? 2 : 1);
        var (type, typeName) = field.Map is not null
            ? (11, $".{message.FullName}.{MapEntryName(field.Name)}")
            : field.IsGroup ? (10, "." + field.ResolvedType) : TypeOf(field.Type, field.ResolvedType, schema);
        w.VarInt(5, type);
        if (typeName is not null)
        {
            w.String(6, typeName);
        }
        if (field.Options.FirstOrDefault(o => o.Name == "default") is { } def)
        {
            w.String(7, DefaultValue(def.Value, type));
        }
        DescriptorOptions.Write(w, 8, OptionScope.Field, field.Options);
        if (oneOf is { } index)
        {
            w.VarInt(9, index);
        }
        var jsonName = field.Options.FirstOrDefault(o => o.Name == "json_name");
        w.String(10, jsonName is null ? JsonName(field.Name) : Literals.Unquote(jsonName.Value));
        if (proto3Optional)
        {
            w.Bool(17, true);
        }
    }

    private static void MapEntry(ProtoWriter w, ProtoField field, ProtoSchema schema)
    {
        var (key, value, resolvedValue) = field.Map!.Value;
        w.String(1, MapEntryName(field.Name));
        w.Message(2, f => EntryField(f, "key", 1, ScalarTypes[key], null));
        var (type, typeName) = TypeOf(value, resolvedValue, schema);
        w.Message(2, f => EntryField(f, "value", 2, type, typeName));
        DescriptorOptions.Write(w, 7, OptionScope.Message, [], mapEntry: true);

        static void EntryField(ProtoWriter f, string name, int number, int type, string? typeName)
        {
            f.String(1, name);
            f.VarInt(3, number);
            f.VarInt(4, 1);
            f.VarInt(5, type);
            if (typeName is not null)
            {
                f.String(6, typeName);
            }
            f.String(10, name);
        }
    }

    private static (int Type, string? TypeName) TypeOf(string type, string? resolved, ProtoSchema schema) =>
        ScalarTypes.TryGetValue(type, out var scalar) ? (scalar, null)
        : resolved is null ? ProtoReader.Fail<(int, string?)>($"type {type} is not resolved")
        : (schema.IsEnum(resolved) ? 14 : 11, "." + resolved);

    private static void Enum(ProtoWriter w, ProtoEnum e)
    {
        w.String(1, e.Name);
        foreach (var (name, number) in e.Values)
        {
            w.Message(2, v =>
            {
                v.String(1, name);
                v.VarInt(2, number);
                DescriptorOptions.Write(v, 3, OptionScope.EnumValue, e.ValueOptions.GetValueOrDefault(name) ?? []);
            });
        }
        DescriptorOptions.Write(w, 3, OptionScope.Enum, e.Options);
        foreach (var range in e.ReservedRanges)
        {
            w.Message(4, r => Range(r, range.Start, range.End));
        }
        foreach (var name in e.ReservedNames)
        {
            w.String(5, name);
        }
    }

    private static void Service(ProtoWriter w, ProtoService service, ProtoSchema schema)
    {
        w.String(1, service.Name);
        foreach (var method in service.Methods)
        {
            w.Message(2, m =>
            {
                m.String(1, method.Name);
                m.String(2, schema.QualifyTopLevel(method.InputType));
                m.String(3, schema.QualifyTopLevel(method.OutputType));
                DescriptorOptions.Write(m, 4, OptionScope.Method, method.Options);
                if (method.ClientStreaming)
                {
                    m.Bool(5, true);
                }
                if (method.ServerStreaming)
                {
                    m.Bool(6, true);
                }
            });
        }
        DescriptorOptions.Write(w, 3, OptionScope.Service, service.Options);
    }

    private static void Range(ProtoWriter w, int start, int end)
    {
        w.VarInt(1, start);
        w.VarInt(2, end);
    }

    /// <summary>default_value: strings unescaped, bytes kept C-escaped, numbers in decimal, the rest as written.</summary>
    private static string DefaultValue(string literal, int type) => type switch
    {
        9 => Literals.Unquote(literal),
        12 => literal.Length >= 2 && literal[0] is '"' or '\'' ? literal[1..^1] : literal,
        _ when literal.TrimStart('-').StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(literal.TrimStart('-').AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex)
            => (literal.StartsWith('-') ? -hex : hex).ToString(CultureInfo.InvariantCulture),
        _ => literal,
    };

    /// <summary>protoc's default JSON name: underscores dropped, the letter after each one upper-cased.</summary>
    public static string JsonName(string name)
    {
        var sb = new StringBuilder(name.Length);
        var upper = false;
        foreach (var c in name)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return sb.ToString();
    }

    /// <summary>protoc's map entry name: the field name in CamelCase plus "Entry" (my_map -> MyMapEntry).</summary>
    public static string MapEntryName(string field)
    {
        var sb = new StringBuilder(field.Length + 5);
        var upper = true;
        foreach (var c in field)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return sb.Append("Entry").ToString();
    }

    private static string SyntheticOneOfName(ProtoMessage message, string field)
    {
        var name = "_" + field;
        while (message.OneOfs.Contains(name) || message.Fields.Any(f => f.Name == name))
        {
            name = "X" + name;
        }
        return name;
    }
}
