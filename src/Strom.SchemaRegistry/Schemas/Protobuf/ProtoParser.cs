using System.Globalization;

namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>
/// A recursive-descent parser for proto2/proto3 files (the grammar of the Protocol Buffers language
/// spec): syntax, package, imports, options, messages with fields, maps, oneofs, groups, reserved
/// ranges and nested types, enums, services and extends (skipped). Field numbers must be in
/// 1..2^29-1 outside 19000-19999 and unique per message; names unique per scope. Types are
/// resolved later by <see cref="ProtoResolver"/>.
/// </summary>
internal sealed class ProtoParser
{
    private const int MaxFieldNumber = 536_870_911;
    private const int MaxDepth = 64;
    private readonly List<string> _tokens;
    private readonly ProtoFile _file = new();
    private int _position;
    private int _depth;

    private ProtoParser(List<string> tokens) => _tokens = tokens;

    public static ProtoFile Parse(string text)
    {
        var parser = new ProtoParser(ProtoTokenizer.Tokenize(text));
        parser.File();
        return parser._file;
    }

    private void File()
    {
        if (_tokens.Count == 0)
        {
            Fail("Empty schema");
        }
        if (Peek() is "syntax" or "edition")
        {
            var keyword = Next();
            Expect("=");
            var version = Unquote(Next());
            if (keyword == "syntax" && version is not ("proto2" or "proto3"))
            {
                Fail($"Unknown syntax \"{version}\"");
            }
            _file.Syntax = keyword == "syntax" ? version : "editions";
            Expect(";");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (_position < _tokens.Count)
        {
            switch (Next())
            {
                case ";":
                    break;
                case "package":
                    _file.Package = Identifier();
                    Expect(";");
                    break;
                case "import":
                    var kind = Peek() is "public" or "weak" ? Next() : null;
                    var path = Unquote(Next());
                    _file.Imports.Add(path);
                    (kind == "public" ? _file.PublicImports : kind == "weak" ? _file.WeakImports : null)?.Add(path);
                    Expect(";");
                    break;
                case "option":
                    _file.Options.Add(Option());
                    break;
                case "message":
                    _file.Messages.Add(Message(Prefix(_file.Package), names));
                    break;
                case "enum":
                    _file.Enums.Add(Enum(Prefix(_file.Package), names));
                    break;
                case "service":
                    _file.Services.Add(Service(names));
                    break;
                case "extend":
                    Identifier();
                    MessageBody(new ProtoMessage("", ""), "");
                    break;
                default:
                    Fail($"Unexpected '{_tokens[_position - 1]}' at top level");
                    break;
            }
        }
    }

    private static string Prefix(string scope) => scope.Length == 0 ? "" : scope + ".";

    private ProtoMessage Message(string prefix, HashSet<string> scopeNames)
    {
        var name = Identifier();
        Declare(scopeNames, name);
        var message = new ProtoMessage(name, prefix + name);
        MessageBody(message, message.FullName + ".");
        return message;
    }

    private void MessageBody(ProtoMessage message, string prefix)
    {
        if (++_depth > MaxDepth)
        {
            Fail($"Messages nested deeper than {MaxDepth}");
        }
        var numbers = new HashSet<int>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Expect("{");
        while (Peek() != "}")
        {
            switch (Peek())
            {
                case ";":
                    Next();
                    break;
                case "message":
                    Next();
                    message.Nested.Add(Message(prefix, names));
                    break;
                case "enum":
                    Next();
                    message.Enums.Add(Enum(prefix, names));
                    break;
                case "extend":
                    Next();
                    Identifier();
                    MessageBody(new ProtoMessage("", ""), "");
                    break;
                case "option":
                    Next();
                    message.Options.Add(Option());
                    break;
                case "reserved":
                    Next();
                    Reserved(message.ReservedRanges, message.ReservedNames, MaxFieldNumber);
                    break;
                case "extensions":
                    Next();
                    Reserved(message.ExtensionRanges, null, MaxFieldNumber);
                    break;
                case "oneof":
                    Next();
                    var oneOf = Identifier();
                    Declare(names, oneOf);
                    message.OneOfs.Add(oneOf);
                    Expect("{");
                    while (Peek() != "}")
                    {
                        if (Peek() == "option")
                        {
                            Next();
                            Option();
                        }
                        else if (Peek() == ";")
                        {
                            Next();
                        }
                        else
                        {
                            Field(message, prefix, numbers, names, oneOf);
                        }
                    }
                    Next();
                    break;
                default:
                    Field(message, prefix, numbers, names, null);
                    break;
            }
        }
        Next();
        _depth--;
        foreach (var field in message.Fields)
        {
            if (message.ReservedRanges.Any(r => field.Number >= r.Start && field.Number <= r.End) || message.ReservedNames.Contains(field.Name))
            {
                Fail($"Field {field.Name} = {field.Number} of {message.FullName} uses a reserved number or name");
            }
        }
    }

    private void Field(ProtoMessage message, string prefix, HashSet<int> numbers, HashSet<string> names, string? oneOf)
    {
        string? label = null;
        if (Peek() is "repeated" or "optional" or "required")
        {
            label = Next();
            if (oneOf is not null)
            {
                Fail($"Fields in oneof {oneOf} cannot have a label");
            }
        }
        string type;
        (string, string, string?)? map = null;
        var nestedBefore = 0;
        if (Peek() == "map" && _position + 1 < _tokens.Count && _tokens[_position + 1] == "<")
        {
            Next();
            Expect("<");
            var key = Identifier();
            Expect(",");
            var value = Identifier();
            Expect(">");
            if (label is not null)
            {
                Fail("Map fields cannot have a label");
            }
            if (key is "double" or "float" or "bytes" || !ProtoResolver.IsScalar(key))
            {
                Fail($"Map key type {key} must be an integral or string type");
            }
            type = $"map<{key}, {value}>";
            map = (key, value, null);
            nestedBefore = message.Nested.Count;
        }
        else
        {
            type = Identifier();
        }
        var isGroup = type == "group";
        var name = Identifier();
        Declare(names, name);
        Expect("=");
        var number = Number();
        if (number < 1 || number > MaxFieldNumber)
        {
            Fail($"Field number {number} of {name} is out of range");
        }
        if (number is >= 19000 and <= 19999)
        {
            Fail($"Field number {number} of {name} is in the range 19000-19999 reserved by Protocol Buffers");
        }
        if (!numbers.Add((int)number))
        {
            Fail($"Field number {number} is used twice in {message.FullName}");
        }
        var options = Peek() == "[" ? BracketOptions() : [];
        if (isGroup)
        {
            // A proto2 group: a nested message named like the field, and a field of that type.
            var group = new ProtoMessage(name, prefix + name);
            MessageBody(group, group.FullName + ".");
            message.Nested.Add(group);
            message.Fields.Add(new ProtoField(name.ToLowerInvariant(), (int)number, label, name, oneOf) { IsGroup = true, Options = options });
            return;
        }
        Expect(";");
        message.Fields.Add(new ProtoField(name, (int)number, label, type, oneOf) { Map = map, NestedBefore = nestedBefore, Options = options });
    }

    private ProtoEnum Enum(string prefix, HashSet<string> scopeNames)
    {
        var name = Identifier();
        Declare(scopeNames, name);
        var result = new ProtoEnum(name, prefix + name);
        Expect("{");
        while (Peek() != "}")
        {
            switch (Peek())
            {
                case ";":
                    Next();
                    break;
                case "option":
                    Next();
                    result.Options.Add(Option());
                    break;
                case "reserved":
                    Next();
                    Reserved(result.ReservedRanges, result.ReservedNames, int.MaxValue);
                    break;
                default:
                    var value = Identifier();
                    Expect("=");
                    var number = Number();
                    if (number is < int.MinValue or > int.MaxValue)
                    {
                        Fail($"Enum value {value} = {number} is out of range");
                    }
                    if (Peek() == "[")
                    {
                        result.ValueOptions[value] = BracketOptions();
                    }
                    Expect(";");
                    result.Values.Add((value, (int)number));
                    break;
            }
        }
        Next();
        if (result.Values.Count == 0)
        {
            Fail($"Enum {name} needs at least one value");
        }
        if (_file.Syntax == "proto3" && result.Values[0].Number != 0)
        {
            Fail($"The first value of proto3 enum {name} must be zero");
        }
        return result;
    }

    private ProtoService Service(HashSet<string> scopeNames)
    {
        var service = new ProtoService(Identifier());
        Declare(scopeNames, service.Name);
        Expect("{");
        while (Peek() != "}")
        {
            switch (Next())
            {
                case ";":
                    break;
                case "option":
                    service.Options.Add(Option());
                    break;
                case "rpc":
                    var name = Identifier();
                    var (clientStreaming, input) = RpcType();
                    Expect("returns");
                    var (serverStreaming, output) = RpcType();
                    var method = new ProtoMethod(name, input, output, clientStreaming, serverStreaming);
                    if (Peek() == "{")
                    {
                        Next();
                        while (Next() is var t && t != "}")
                        {
                            if (t == "option")
                            {
                                method.Options.Add(Option());
                            }
                            else if (t != ";")
                            {
                                Fail($"Unexpected '{t}' in rpc {name}");
                            }
                        }
                    }
                    else
                    {
                        Expect(";");
                    }
                    service.Methods.Add(method);
                    break;
                default:
                    Fail($"Unexpected '{_tokens[_position - 1]}' in service");
                    break;
            }
        }
        Next();
        return service;
    }

    private (bool Stream, string Type) RpcType()
    {
        Expect("(");
        var stream = false;
        if (Peek() == "stream" && _position + 1 < _tokens.Count && _tokens[_position + 1] != ")")
        {
            Next();
            stream = true;
        }
        var type = Identifier();
        Expect(")");
        return (stream, type);
    }

    /// <summary>option NAME = VALUE; (the keyword already read).</summary>
    private ProtoOption Option()
    {
        var name = OptionName();
        var value = OptionValue();
        if (!value.StartsWith('{') || (_position < _tokens.Count && _tokens[_position] == ";"))
        {
            Expect(";");
        }
        return new ProtoOption(name, value);
    }

    /// <summary>[NAME = VALUE, ...] after a field or enum value.</summary>
    private List<ProtoOption> BracketOptions()
    {
        Expect("[");
        var options = new List<ProtoOption>();
        do
        {
            options.Add(new ProtoOption(OptionName(), OptionValue()));
        }
        while (Next() is var t && (t == "," || (t != "]" && Fail<bool>($"Expected ',' or ']', found '{t}'"))));
        return options;
    }

    /// <summary>The tokens up to '=' joined: <c>java_package</c>, <c>(my.ext).field</c>.</summary>
    private string OptionName()
    {
        var name = new System.Text.StringBuilder();
        while (Next() is var t && t != "=")
        {
            if (t is ";" or "{" or "}" or "[" or "]" or ",")
            {
                Fail($"Unexpected '{t}' in an option name");
            }
            name.Append(t);
        }
        return name.Length > 0 ? name.ToString() : Fail<string>("An option needs a name");
    }

    /// <summary>A constant as written: a signed number, identifier, quoted string(s), or an aggregate in braces.</summary>
    private string OptionValue()
    {
        if (Peek() == "{")
        {
            var start = _position;
            SkipBlock();
            return string.Join(' ', _tokens.GetRange(start, _position - start));
        }
        var value = Next();
        if (value is "-" or "+")
        {
            value += Next();
        }
        while (value[0] is '"' or '\'' && _position < _tokens.Count && Peek() is ['"' or '\'', ..])
        {
            value += " " + Next();
        }
        return value;
    }

    /// <summary>reserved / extensions: numbers and ranges (N to M, N to max), or quoted names; trailing [options] ignored.</summary>
    private void Reserved(List<ProtoRange> ranges, List<string>? names, int max)
    {
        do
        {
            if (Peek() is ['"' or '\'', ..] && names is not null)
            {
                names.Add(Unquote(Next()));
                continue;
            }
            var start = Number();
            var end = start;
            if (Peek() == "to")
            {
                Next();
                if (Peek() == "max")
                {
                    Next();
                    end = max;
                }
                else
                {
                    end = Number();
                }
            }
            if (start > end || start < (max == int.MaxValue ? int.MinValue : 1) || end > max)
            {
                Fail($"Invalid range {start} to {end}");
            }
            ranges.Add(new ProtoRange((int)start, (int)end));
        }
        while (Peek() == "," && Next() == ",");
        if (Peek() == "[")
        {
            SkipTo("]");
        }
        Expect(";");
    }

    private void SkipBlock()
    {
        Expect("{");
        var depth = 1;
        while (depth > 0)
        {
            var t = Next();
            depth += t == "{" ? 1 : t == "}" ? -1 : 0;
        }
    }

    private void SkipTo(string terminator)
    {
        while (Next() != terminator)
        {
        }
    }

    private static void Declare(HashSet<string> names, string name)
    {
        if (!names.Add(name))
        {
            Fail($"\"{name}\" is already defined");
        }
    }

    private string Identifier()
    {
        var t = Next();
        if (t.Length == 0 || !(char.IsAsciiLetter(t[0]) || t[0] is '_' or '.'))
        {
            Fail($"Expected a name, found '{t}'");
        }
        return t;
    }

    private long Number()
    {
        var negative = false;
        if (Peek() == "-")
        {
            Next();
            negative = true;
        }
        var t = Next();
        long value;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? !long.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            Fail($"Expected a number, found '{t}'");
        }
        return negative ? -value : value;
    }

    private void Expect(string expected)
    {
        var t = Next();
        if (t != expected)
        {
            Fail($"Expected '{expected}', found '{t}'");
        }
    }

    private string Peek() => _position < _tokens.Count ? _tokens[_position] : Fail<string>("Unexpected end of schema");

    private string Next() => _position < _tokens.Count ? _tokens[_position++] : Fail<string>("Unexpected end of schema");

    private static string Unquote(string token) =>
        token.Length >= 2 && token[0] is '"' or '\'' ? token[1..^1] : Fail<string>($"Expected a quoted string, found '{token}'");

    private static void Fail(string message) => throw new SchemaInvalidException(message);

    private static T Fail<T>(string message) => throw new SchemaInvalidException(message);
}
