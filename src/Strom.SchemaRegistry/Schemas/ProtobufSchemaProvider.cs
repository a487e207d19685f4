using System.Text;

namespace Strom.SchemaRegistry.Schemas;

/// <summary>
/// Protobuf: for now a syntactic check of the .proto text (proto2/proto3 grammar of statements,
/// messages, enums, services, field numbers in range and unique, imports that are references or
/// google/protobuf well-known files). Type resolution, Confluent's Protobuf compatibility rules and
/// descriptor-based canonical text come later, so every pair is reported compatible.
/// </summary>
public sealed class ProtobufSchemaProvider : ISchemaProvider
{
    public string SchemaType => "PROTOBUF";

    public ParsedSchema Parse(string schema, IReadOnlyList<ResolvedReference> references)
    {
        var tokens = ProtoTokenizer.Tokenize(schema);
        new ProtoSyntaxChecker(tokens, references.Select(r => r.Name).ToHashSet(StringComparer.Ordinal)).CheckFile();
        return new ParsedSchema(SchemaType, schema.Trim(), tokens);
    }

    public string Canonicalize(ParsedSchema schema, bool normalize) =>
        normalize ? string.Join(' ', (IReadOnlyList<string>)schema.Native) : schema.Canonical;

    public IReadOnlyList<string> CheckCompatibility(ParsedSchema reader, ParsedSchema writer, string readerLabel, string writerLabel) => [];
}

internal static class ProtoTokenizer
{
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? throw new SchemaInvalidException("Unterminated comment") : end + 2;
            }
            else if (c is '"' or '\'')
            {
                var sb = new StringBuilder().Append(c);
                i++;
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                    {
                        throw new SchemaInvalidException("Unterminated string");
                    }
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        sb.Append(text[i]).Append(text[i + 1]);
                        i += 2;
                        continue;
                    }
                    sb.Append(text[i]);
                    if (text[i++] == c)
                    {
                        break;
                    }
                }
                tokens.Add(sb.ToString());
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.'
                    || (text[i] is '+' or '-' && i > start && text[i - 1] is 'e' or 'E' && char.IsAsciiDigit(text[start]))))
                {
                    i++;
                }
                tokens.Add(text[start..i]);
            }
            else if ("{}[]()<>;=,:-+".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                throw new SchemaInvalidException($"Unexpected character '{c}'");
            }
        }
        return tokens;
    }
}

internal sealed class ProtoSyntaxChecker(List<string> tokens, HashSet<string> referenceNames)
{
    private const int MaxFieldNumber = 536_870_911;
    private int _position;

    public void CheckFile()
    {
        if (tokens.Count == 0)
        {
            Fail("Empty schema");
        }
        if (Peek() is "syntax" or "edition")
        {
            var keyword = Next();
            Expect("=");
            var version = Next();
            if (keyword == "syntax" && version is not ("\"proto2\"" or "\"proto3\"" or "'proto2'" or "'proto3'"))
            {
                Fail($"Unknown syntax {version}");
            }
            Expect(";");
        }
        while (_position < tokens.Count)
        {
            switch (Next())
            {
                case ";":
                    break;
                case "package":
                    Identifier();
                    Expect(";");
                    break;
                case "import":
                    if (Peek() is "public" or "weak")
                    {
                        Next();
                    }
                    var file = Unquote(Next());
                    if (!referenceNames.Contains(file) && !file.StartsWith("google/protobuf/", StringComparison.Ordinal)
                        && !file.StartsWith("confluent/", StringComparison.Ordinal) && !file.StartsWith("google/type/", StringComparison.Ordinal))
                    {
                        Fail($"Import {file} is not among the schema references");
                    }
                    Expect(";");
                    break;
                case "option":
                    Option();
                    break;
                case "message":
                    Message();
                    break;
                case "enum":
                    Enum();
                    break;
                case "service":
                    Service();
                    break;
                case "extend":
                    Identifier();
                    MessageBody(new HashSet<long>(), new HashSet<string>(StringComparer.Ordinal));
                    break;
                default:
                    Fail($"Unexpected '{tokens[_position - 1]}' at top level");
                    break;
            }
        }
    }

    private void Message()
    {
        Identifier();
        MessageBody(new HashSet<long>(), new HashSet<string>(StringComparer.Ordinal));
    }

    private void MessageBody(HashSet<long> numbers, HashSet<string> names)
    {
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
                    Message();
                    break;
                case "enum":
                    Next();
                    Enum();
                    break;
                case "extend":
                    Next();
                    Identifier();
                    MessageBody(new HashSet<long>(), new HashSet<string>(StringComparer.Ordinal));
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
                    Identifier();
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
                            Field(numbers, names);
                        }
                    }
                    Next();
                    break;
                default:
                    Field(numbers, names);
                    break;
            }
        }
        Next();
    }

    private void Field(HashSet<long> numbers, HashSet<string> names)
    {
        if (Peek() is "repeated" or "optional" or "required")
        {
            Next();
        }
        if (Peek() == "map")
        {
            Next();
            Expect("<");
            Identifier();
            Expect(",");
            Identifier();
            Expect(">");
        }
        else
        {
            Identifier();
        }
        var name = Identifier();
        if (!names.Add(name))
        {
            Fail($"Duplicate field name {name}");
        }
        Expect("=");
        var number = Number();
        if (number < 1 || number > MaxFieldNumber)
        {
            Fail($"Field number {number} of {name} is out of range");
        }
        if (!numbers.Add(number))
        {
            Fail($"Field number {number} is used twice");
        }
        if (Peek() == "[")
        {
            SkipTo("]");
        }
        if (Peek() == "{")
        {
            // a proto2 group body
            MessageBody(new HashSet<long>(), new HashSet<string>(StringComparer.Ordinal));
            return;
        }
        Expect(";");
    }

    private void Enum()
    {
        Identifier();
        Expect("{");
        var values = 0;
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
                    Identifier();
                    Expect("=");
                    Number();
                    if (Peek() == "[")
                    {
                        SkipTo("]");
                    }
                    Expect(";");
                    values++;
                    break;
            }
        }
        Next();
        if (values == 0)
        {
            Fail("An enum needs at least one value");
        }
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
                    Fail($"Unexpected '{tokens[_position - 1]}' in service");
                    break;
            }
        }
        Next();
    }

    private void RpcType()
    {
        Expect("(");
        if (Peek() == "stream" && _position + 1 < tokens.Count && tokens[_position + 1] != ")")
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
            ? !long.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out value)
            : !long.TryParse(t, out value))
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

    private string Peek() => _position < tokens.Count ? tokens[_position] : Fail<string>("Unexpected end of schema");

    private string Next() => _position < tokens.Count ? tokens[_position++] : Fail<string>("Unexpected end of schema");

    private static string Unquote(string token) =>
        token.Length >= 2 && token[0] is '"' or '\'' ? token[1..^1] : Fail<string>($"Expected a quoted string, found '{token}'");

    private static void Fail(string message) => throw new SchemaInvalidException(message);

    private static T Fail<T>(string message) => throw new SchemaInvalidException(message);
}
