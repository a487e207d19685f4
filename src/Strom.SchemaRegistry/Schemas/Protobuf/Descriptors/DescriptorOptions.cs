using System.Globalization;
using System.Text;

namespace Strom.SchemaRegistry.Schemas.Protobuf.Descriptors;

internal enum OptionScope
{
    File,
    Message,
    Field,
    Enum,
    EnumValue,
    Service,
    Method,
}

/// <summary>
/// The standard options descriptor.proto defines (FileOptions, MessageOptions, FieldOptions...) by
/// name and field number, so options written in .proto text become option messages in a descriptor
/// and back. Custom options, (parenthesized) extensions of those messages, need their extension's
/// definition to encode: they stay in the text form only.
/// </summary>
internal static class DescriptorOptions
{
    /// <summary>An enum option's symbols by number ("" where no symbol has that number).</summary>
    private sealed record Known(string Name, int Number, char Kind, string[]? Symbols = null);

    private static readonly string[] OptimizeMode = ["", "SPEED", "CODE_SIZE", "LITE_RUNTIME"];

    private static readonly Dictionary<OptionScope, Known[]> Table = new()
    {
        [OptionScope.File] =
        [
            new("java_package", 1, 's'), new("java_outer_classname", 8, 's'), new("optimize_for", 9, 'e', OptimizeMode),
            new("java_multiple_files", 10, 'b'), new("go_package", 11, 's'), new("cc_generic_services", 16, 'b'),
            new("java_generic_services", 17, 'b'), new("py_generic_services", 18, 'b'), new("java_generate_equals_and_hash", 20, 'b'),
            new("deprecated", 23, 'b'), new("java_string_check_utf8", 27, 'b'), new("cc_enable_arenas", 31, 'b'),
            new("objc_class_prefix", 36, 's'), new("csharp_namespace", 37, 's'), new("swift_prefix", 39, 's'),
            new("php_class_prefix", 40, 's'), new("php_namespace", 41, 's'), new("php_generic_services", 42, 'b'),
            new("php_metadata_namespace", 44, 's'), new("ruby_package", 45, 's'),
        ],
        [OptionScope.Message] =
        [
            new("message_set_wire_format", 1, 'b'), new("no_standard_descriptor_accessor", 2, 'b'), new("deprecated", 3, 'b'),
            new("map_entry", 7, 'b'),
        ],
        [OptionScope.Field] =
        [
            new("ctype", 1, 'e', ["STRING", "CORD", "STRING_PIECE"]), new("packed", 2, 'b'), new("deprecated", 3, 'b'),
            new("lazy", 5, 'b'), new("jstype", 6, 'e', ["JS_NORMAL", "JS_STRING", "JS_NUMBER"]), new("weak", 10, 'b'),
            new("unverified_lazy", 15, 'b'),
        ],
        [OptionScope.Enum] = [new("allow_alias", 2, 'b'), new("deprecated", 3, 'b')],
        [OptionScope.EnumValue] = [new("deprecated", 1, 'b')],
        [OptionScope.Service] = [new("deprecated", 33, 'b')],
        [OptionScope.Method] = [new("deprecated", 33, 'b'), new("idempotency_level", 34, 'e', ["IDEMPOTENCY_UNKNOWN", "NO_SIDE_EFFECTS", "IDEMPOTENT"])],
    };

    /// <summary>
    /// Options in canonical order: a field's default and json_name first, then standard options by
    /// descriptor field number, then custom options as written.
    /// </summary>
    public static IEnumerable<ProtoOption> Ordered(OptionScope scope, IEnumerable<ProtoOption> options) =>
        options.OrderBy(o => o.Name switch
        {
            "default" when scope == OptionScope.Field => -2,
            "json_name" when scope == OptionScope.Field => -1,
            _ => Table[scope].FirstOrDefault(k => k.Name == o.Name)?.Number ?? int.MaxValue,
        });

    /// <summary>Writes the options message (field <paramref name="field"/>) when any option is a standard one.</summary>
    public static void Write(ProtoWriter writer, int field, OptionScope scope, IEnumerable<ProtoOption> options, bool mapEntry = false)
    {
        var known = options
            .Select(o => (Option: o, Known: Table[scope].FirstOrDefault(k => k.Name == o.Name)))
            .Where(p => p.Known is not null)
            .OrderBy(p => p.Known!.Number)
            .ToList();
        if (known.Count == 0 && !mapEntry)
        {
            return;
        }
        writer.Message(field, w =>
        {
            if (mapEntry)
            {
                w.Bool(7, true);
            }
            foreach (var (option, k) in known)
            {
                switch (k!.Kind)
                {
                    case 's':
                        w.String(k.Number, Literals.Unquote(option.Value));
                        break;
                    case 'b':
                        w.Bool(k.Number, option.Value == "true");
                        break;
                    default:
                        var number = Array.IndexOf(k.Symbols!, option.Value);
                        if (number >= 0)
                        {
                            w.VarInt(k.Number, number);
                        }
                        break;
                }
            }
        });
    }

    /// <summary>Reads an options message back into .proto options; unknown (custom) fields are skipped.</summary>
    public static List<ProtoOption> Read(ReadOnlySpan<byte> message, OptionScope scope)
    {
        var options = new List<ProtoOption>();
        var reader = new ProtoReader(message);
        while (reader.Next())
        {
            var field = reader.Field;
            var k = Table[scope].FirstOrDefault(k => k.Number == field);
            switch (k?.Kind)
            {
                case 's':
                    options.Add(new ProtoOption(k.Name, Literals.Quote(reader.String())));
                    break;
                case 'b':
                    options.Add(new ProtoOption(k.Name, reader.Bool() ? "true" : "false"));
                    break;
                case 'e':
                    var number = reader.VarInt();
                    if (number >= 0 && number < k.Symbols!.Length && k.Symbols[number].Length > 0)
                    {
                        options.Add(new ProtoOption(k.Name, k.Symbols[number]));
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return options;
    }
}

/// <summary>.proto string literals: quoted, with C-style escapes (protobuf.dev "Language Specification", strLit).</summary>
internal static class Literals
{
    /// <summary>The text of a literal as written (one or more adjacent quoted strings); a bare token is returned as is.</summary>
    public static string Unquote(string literal)
    {
        if (literal.Length < 2 || literal[0] is not ('"' or '\''))
        {
            return literal;
        }
        var bytes = new List<byte>();
        var i = 0;
        while (i < literal.Length)
        {
            var quote = literal[i++];
            while (i < literal.Length && literal[i] != quote)
            {
                var c = literal[i++];
                if (c != '\\' || i >= literal.Length)
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                    continue;
                }
                var e = literal[i++];
                switch (e)
                {
                    case 'n': bytes.Add((byte)'\n'); break;
                    case 'r': bytes.Add((byte)'\r'); break;
                    case 't': bytes.Add((byte)'\t'); break;
                    case 'a': bytes.Add(7); break;
                    case 'b': bytes.Add(8); break;
                    case 'f': bytes.Add(12); break;
                    case 'v': bytes.Add(11); break;
                    case 'x' or 'X':
                        var hex = 0;
                        var start = i;
                        while (i < literal.Length && i - start < 2 && char.IsAsciiHexDigit(literal[i]))
                        {
                            hex = hex * 16 + int.Parse(literal.AsSpan(i++, 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        }
                        bytes.Add((byte)hex);
                        break;
                    case >= '0' and <= '7':
                        var octal = e - '0';
                        for (var n = 0; n < 2 && i < literal.Length && literal[i] is >= '0' and <= '7'; n++)
                        {
                            octal = octal * 8 + (literal[i++] - '0');
                        }
                        bytes.Add((byte)octal);
                        break;
                    default:
                        bytes.AddRange(Encoding.UTF8.GetBytes(e.ToString()));
                        break;
                }
            }
            i++;
            while (i < literal.Length && literal[i] == ' ')
            {
                i++;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\x7f': sb.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0')); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
