using System.Buffers.Text;

namespace Strom.SchemaRegistry.Schemas.Protobuf.Descriptors;

/// <summary>
/// Decodes a google.protobuf.FileDescriptorProto (field numbers in <see cref="FileDescriptorWriter"/>)
/// into the .proto model: map entry types fold back into map fields, synthetic oneofs into proto3
/// optional labels, default_value and non-default json_name into field options. Names are checked to
/// be identifiers, since the model is printed as text and parsed again for validation. Extensions,
/// custom options and source info are dropped. Unknown fields are skipped, as protobuf runtimes do.
/// </summary>
internal static class FileDescriptorReader
{
    private const int MaxDepth = 64;

    /// <summary>Decodes standard base64 of a FileDescriptorProto; null when the text is not base64 at all.</summary>
    public static byte[]? FromBase64(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || !Base64.IsValid(trimmed, out var length))
        {
            return null;
        }
        var bytes = new byte[length];
        return Convert.TryFromBase64String(trimmed, bytes, out var written) ? bytes[..written] : null;
    }

    public static ProtoFile Decode(ReadOnlySpan<byte> data)
    {
        var file = new ProtoFile();
        var publicIndexes = new List<int>();
        var weakIndexes = new List<int>();
        var syntax = "";
        var reader = new ProtoReader(data);
        var raw = new List<(int Field, byte[] Bytes)>();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 2:
                    file.Package = QualifiedName(reader.String());
                    break;
                case 3:
                    file.Imports.Add(reader.String());
                    break;
                case 4 or 5 or 6 or 8:
                    raw.Add((reader.Field, reader.Bytes().ToArray()));
                    break;
                case 10:
                    publicIndexes.Add(reader.Int32());
                    break;
                case 11:
                    weakIndexes.Add(reader.Int32());
                    break;
                case 12:
                    syntax = reader.String();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        file.Syntax = syntax switch
        {
            "" or "proto2" => "proto2",
            "proto3" => "proto3",
            _ => ProtoReader.Fail<string>($"syntax \"{syntax}\" is not supported"),
        };
        foreach (var index in publicIndexes.Concat(weakIndexes))
        {
            if (index < 0 || index >= file.Imports.Count)
            {
                ProtoReader.Fail($"dependency index {index} is out of range");
            }
        }
        publicIndexes.ForEach(i => file.PublicImports.Add(file.Imports[i]));
        weakIndexes.ForEach(i => file.WeakImports.Add(file.Imports[i]));
        var prefix = file.Package.Length == 0 ? "" : file.Package + ".";
        foreach (var (field, bytes) in raw)
        {
            switch (field)
            {
                case 4:
                    file.Messages.Add(Message(bytes, prefix, file.Syntax, 0).Message);
                    break;
                case 5:
                    file.Enums.Add(Enum(bytes, prefix));
                    break;
                case 6:
                    file.Services.Add(Service(bytes, file.Package));
                    break;
                default:
                    file.Options.AddRange(DescriptorOptions.Read(bytes, OptionScope.File));
                    break;
            }
        }
        return file;
    }

    private sealed record RawField(string Name, int Number, int Label, int Type, string TypeName, string? Default, int? OneOf,
        string? JsonName, bool Proto3Optional, List<ProtoOption> Options);

    private static (ProtoMessage Message, bool IsMapEntry) Message(ReadOnlySpan<byte> data, string prefix, string syntax, int depth)
    {
        if (depth > MaxDepth)
        {
            ProtoReader.Fail($"messages nested deeper than {MaxDepth}");
        }
        var reader = new ProtoReader(data);
        var name = "";
        var fields = new List<RawField>();
        var nested = new List<byte[]>();
        var enums = new List<byte[]>();
        var oneOfs = new List<string>();
        var options = new List<ProtoOption>();
        var isMapEntry = false;
        var extensionRanges = new List<ProtoRange>();
        var reservedRanges = new List<ProtoRange>();
        var reservedNames = new List<string>();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1:
                    name = Identifier(reader.String());
                    break;
                case 2:
                    fields.Add(Field(reader.Bytes()));
                    break;
                case 3:
                    nested.Add(reader.Bytes().ToArray());
                    break;
                case 4:
                    enums.Add(reader.Bytes().ToArray());
                    break;
                case 5:
                    extensionRanges.Add(Range(reader.Bytes(), exclusive: true));
                    break;
                case 7:
                    var bytes = reader.Bytes();
                    isMapEntry = IsMapEntry(bytes);
                    options.AddRange(DescriptorOptions.Read(bytes, OptionScope.Message).Where(o => o.Name != "map_entry"));
                    break;
                case 8:
                    var oneOf = new ProtoReader(reader.Bytes());
                    var oneOfName = "";
                    while (oneOf.Next())
                    {
                        if (oneOf.Field == 1)
                        {
                            oneOfName = Identifier(oneOf.String());
                        }
                        else
                        {
                            oneOf.Skip();
                        }
                    }
                    oneOfs.Add(oneOfName);
                    break;
                case 9:
                    reservedRanges.Add(Range(reader.Bytes(), exclusive: true));
                    break;
                case 10:
                    reservedNames.Add(Identifier(reader.String()));
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        var message = new ProtoMessage(Identifier(name), prefix + name);
        message.Options.AddRange(options);
        message.ExtensionRanges.AddRange(extensionRanges);
        message.ReservedRanges.AddRange(reservedRanges);
        message.ReservedNames.AddRange(reservedNames);
        var entries = new Dictionary<string, (ProtoMessage Entry, int NestedBefore)>(StringComparer.Ordinal);
        foreach (var bytes in nested)
        {
            var (child, mapEntry) = Message(bytes, message.FullName + ".", syntax, depth + 1);
            if (mapEntry)
            {
                entries[child.FullName] = (child, message.Nested.Count);
            }
            else
            {
                message.Nested.Add(child);
            }
        }
        foreach (var bytes in enums)
        {
            message.Enums.Add(Enum(bytes, message.FullName + "."));
        }
        var synthetic = fields.Where(f => f.Proto3Optional && f.OneOf is not null).Select(f => f.OneOf!.Value).ToHashSet();
        message.OneOfs.AddRange(oneOfs.Where((_, i) => !synthetic.Contains(i)));
        foreach (var f in fields)
        {
            string? oneOfName = null;
            if (f.OneOf is { } index && !synthetic.Contains(index))
            {
                oneOfName = index >= 0 && index < oneOfs.Count ? oneOfs[index] : ProtoReader.Fail<string>($"oneof_index {index} of {f.Name} is out of range");
            }
            var entryName = f.TypeName.StartsWith('.') ? f.TypeName[1..] : message.FullName + "." + f.TypeName;
            if (f.Type == 11 && f.Label == 3 && entries.TryGetValue(entryName, out var entry))
            {
                var key = entry.Entry.Fields.FirstOrDefault(e => e.Number == 1);
                var value = entry.Entry.Fields.FirstOrDefault(e => e.Number == 2);
                if (key is null || value is null)
                {
                    ProtoReader.Fail($"map entry {entryName} needs a key and a value field");
                }
                message.Fields.Add(new ProtoField(f.Name, f.Number, null, $"map<{key.Type}, {value.Type}>", null)
                {
                    Map = (key.Type, value.Type, null),
                    NestedBefore = entry.NestedBefore,
                    Options = f.Options,
                });
                continue;
            }
            var label = f.Label switch
            {
                2 => "required",
                3 => "repeated",
                _ when oneOfName is not null => null,
                _ when syntax == "proto3" => f.Proto3Optional ? "optional" : null,
                _ => "optional",
            };
            var type = f.Type switch
            {
                10 => f.TypeName[(f.TypeName.LastIndexOf('.') + 1)..],
                11 or 14 => f.TypeName.Length > 0 ? f.TypeName : ProtoReader.Fail<string>($"field {f.Name} has no type_name"),
                _ => FileDescriptorWriter.ScalarName(f.Type) ?? ProtoReader.Fail<string>($"field {f.Name} has unknown type {f.Type}"),
            };
            var fieldOptions = new List<ProtoOption>();
            if (f.Default is { } def)
            {
                fieldOptions.Add(new ProtoOption("default", f.Type switch
                {
                    9 => Literals.Quote(def),
                    12 => Literals.Quote(Literals.Unquote("\"" + def + "\"")),
                    _ => Token(def),
                }));
            }
            if (f.JsonName is { } json && json != FileDescriptorWriter.JsonName(f.Name))
            {
                fieldOptions.Add(new ProtoOption("json_name", Literals.Quote(json)));
            }
            fieldOptions.AddRange(f.Options);
            message.Fields.Add(new ProtoField(f.Name, f.Number, label, type, oneOfName) { IsGroup = f.Type == 10, Options = fieldOptions });
        }
        return (message, isMapEntry);
    }

    private static RawField Field(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoReader(data);
        string name = "", typeName = "";
        string? def = null, json = null;
        int number = 0, label = 1, type = 0;
        int? oneOf = null;
        var proto3Optional = false;
        var options = new List<ProtoOption>();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: name = Identifier(reader.String()); break;
                case 3: number = reader.Int32(); break;
                case 4: label = reader.Int32(); break;
                case 5: type = reader.Int32(); break;
                case 6: typeName = QualifiedName(reader.String()); break;
                case 7: def = reader.String(); break;
                case 8: options = DescriptorOptions.Read(reader.Bytes(), OptionScope.Field); break;
                case 9: oneOf = reader.Int32(); break;
                case 10: json = reader.String(); break;
                case 17: proto3Optional = reader.Bool(); break;
                default: reader.Skip(); break;
            }
        }
        return new RawField(Identifier(name), number, label, type, typeName, def, oneOf, json, proto3Optional, options);
    }

    private static ProtoEnum Enum(ReadOnlySpan<byte> data, string prefix)
    {
        var reader = new ProtoReader(data);
        var name = "";
        var values = new List<(string, int, List<ProtoOption>)>();
        var result = new List<Action<ProtoEnum>>();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1:
                    name = Identifier(reader.String());
                    break;
                case 2:
                    var value = new ProtoReader(reader.Bytes());
                    var (valueName, number, options) = ("", 0, new List<ProtoOption>());
                    while (value.Next())
                    {
                        switch (value.Field)
                        {
                            case 1: valueName = Identifier(value.String()); break;
                            case 2: number = value.Int32(); break;
                            case 3: options = DescriptorOptions.Read(value.Bytes(), OptionScope.EnumValue); break;
                            default: value.Skip(); break;
                        }
                    }
                    values.Add((Identifier(valueName), number, options));
                    break;
                case 3:
                    var enumOptions = DescriptorOptions.Read(reader.Bytes(), OptionScope.Enum);
                    result.Add(e => e.Options.AddRange(enumOptions));
                    break;
                case 4:
                    var range = Range(reader.Bytes(), exclusive: false);
                    result.Add(e => e.ReservedRanges.Add(range));
                    break;
                case 5:
                    var reserved = Identifier(reader.String());
                    result.Add(e => e.ReservedNames.Add(reserved));
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        var e = new ProtoEnum(Identifier(name), prefix + name);
        foreach (var (valueName, number, options) in values)
        {
            e.Values.Add((valueName, number));
            if (options.Count > 0)
            {
                e.ValueOptions[valueName] = options;
            }
        }
        result.ForEach(a => a(e));
        return e;
    }

    private static ProtoService Service(ReadOnlySpan<byte> data, string package)
    {
        var reader = new ProtoReader(data);
        var name = "";
        var methods = new List<ProtoMethod>();
        var options = new List<ProtoOption>();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1:
                    name = Identifier(reader.String());
                    break;
                case 2:
                    var m = new ProtoReader(reader.Bytes());
                    string methodName = "", input = "", output = "";
                    bool clientStreaming = false, serverStreaming = false;
                    var methodOptions = new List<ProtoOption>();
                    while (m.Next())
                    {
                        switch (m.Field)
                        {
                            case 1: methodName = Identifier(m.String()); break;
                            case 2: input = Relative(QualifiedName(m.String()), package); break;
                            case 3: output = Relative(QualifiedName(m.String()), package); break;
                            case 4: methodOptions = DescriptorOptions.Read(m.Bytes(), OptionScope.Method); break;
                            case 5: clientStreaming = m.Bool(); break;
                            case 6: serverStreaming = m.Bool(); break;
                            default: m.Skip(); break;
                        }
                    }
                    methods.Add(new ProtoMethod(Identifier(methodName), QualifiedName(input), QualifiedName(output), clientStreaming, serverStreaming) { Options = methodOptions });
                    break;
                case 3:
                    options = DescriptorOptions.Read(reader.Bytes(), OptionScope.Service);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        var service = new ProtoService(Identifier(name));
        service.Methods.AddRange(methods);
        service.Options.AddRange(options);
        return service;
    }

    private static string Relative(string name, string package) =>
        package.Length > 0 && name.StartsWith("." + package + ".", StringComparison.Ordinal) ? name[(package.Length + 2)..] : name;

    private static ProtoRange Range(ReadOnlySpan<byte> data, bool exclusive)
    {
        var reader = new ProtoReader(data);
        int start = 0, end = 0;
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: start = reader.Int32(); break;
                case 2: end = reader.Int32(); break;
                default: reader.Skip(); break;
            }
        }
        return new ProtoRange(start, exclusive ? end - 1 : end);
    }

    private static bool IsMapEntry(ReadOnlySpan<byte> options)
    {
        var reader = new ProtoReader(options);
        var mapEntry = false;
        while (reader.Next())
        {
            if (reader.Field == 7 && reader.WireType == 0)
            {
                mapEntry = reader.Bool();
            }
            else
            {
                reader.Skip();
            }
        }
        return mapEntry;
    }

    private static string Identifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? name
            : ProtoReader.Fail<string>($"\"{name}\" is not a valid name");

    private static string QualifiedName(string name) =>
        name.Length == 0 || name.TrimStart('.').Split('.').All(part => part.Length > 0 && Identifier(part) == part)
            ? name
            : ProtoReader.Fail<string>($"\"{name}\" is not a valid type name");

    /// <summary>A default value printed bare (number, enum symbol, bool, inf, nan): one token, nothing else.</summary>
    private static string Token(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '+')
            ? value
            : ProtoReader.Fail<string>($"default value \"{value}\" is not a constant");
}
