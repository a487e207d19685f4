using System.Text;

namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>Splits .proto text into tokens: names (dotted), numbers, quoted strings, punctuation; comments dropped.</summary>
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
