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
                    if (Peek() is "public" or "weak")
                    {
                        Next();
                    }
                    _file.Imports.Add(Unquote(Next()));
                    Expect(";");
                    break;
                case "option":
                    Option();
                    break;
                case "message":
                    _file.Messages.Add(Message(Prefix(_file.Package), names));
                    break;
                case "enum":
                    _file.Enums.Add(Enum(Prefix(_file.Package), names));
                    break;
                case "service":
                    Service();
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
                    Option();
                    break;
                case "reserved" or "extensions":
                    Next();
                    SkipTo(";");
                    break;
                case "oneof":
                    Next();
                    var oneOf = Identifier();
                    Declare(names, oneOf);
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
        if (Peek() == "[")
        {
            SkipTo("]");
        }
        if (isGroup)
        {
            // A proto2 group: a nested message named like the field, and a field of that type.
            var group = new ProtoMessage(name, prefix + name);
            MessageBody(group, group.FullName + ".");
            message.Nested.Add(group);
            message.Fields.Add(new ProtoField(name.ToLowerInvariant(), (int)number, label, name, oneOf));
            return;
        }
        Expect(";");
        message.Fields.Add(new ProtoField(name, (int)number, label, type, oneOf) { Map = map });
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
                    Option();
                    break;
                case "reserved":
                    Next();
                    SkipTo(";");
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
                        SkipTo("]");
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

    private void Service()
    {
        Identifier();
        Expect("{");
        while (Peek() != "}")
        {
            switch (Next())
            {
                case ";":
                    break;
                case "option":
                    Option();
                    break;
                case "rpc":
                    Identifier();
                    RpcType();
                    Expect("returns");
                    RpcType();
                    if (Peek() == "{")
                    {
                        SkipBlock();
                    }
                    else
                    {
                        Expect(";");
                    }
                    break;
                default:
                    Fail($"Unexpected '{_tokens[_position - 1]}' in service");
                    break;
            }
        }
        Next();
    }

    private void RpcType()
    {
        Expect("(");
        if (Peek() == "stream" && _position + 1 < _tokens.Count && _tokens[_position + 1] != ")")
        {
            Next();
        }
        Identifier();
        Expect(")");
    }

    private void Option()
    {
        SkipTo("=");
        if (Peek() == "{")
        {
            SkipBlock();
            if (Peek() == ";")
            {
                Next();
            }
            return;
        }
        SkipTo(";");
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
