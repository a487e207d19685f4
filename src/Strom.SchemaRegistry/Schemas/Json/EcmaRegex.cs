using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// JSON Schema patterns are ECMA-262 regular expressions, searched for anywhere in the string.
/// .NET's dialect differs in a few places that matter: "$" also matches before a final newline,
/// \d and \w take in non-ASCII digits and letters, and \A \Z \z are anchors ECMA-262 does not have.
/// This rewrites the first two and rejects the third; compiled patterns are shared.
/// </summary>
internal static class EcmaRegex
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<string, Regex?> Cache = new(StringComparer.Ordinal);

    public static bool TryCreate(string pattern, [NotNullWhen(true)] out Regex? regex, out string? error)
    {
        error = null;
        if (Cache.TryGetValue(pattern, out regex))
        {
            return regex is not null || Invalid(pattern, out error);
        }
        try
        {
            regex = new Regex(Translate(pattern), RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            regex = null;
        }
        if (Cache.Count < 10_000)
        {
            Cache.TryAdd(pattern, regex);
        }
        return regex is not null;
    }

    private static bool Invalid(string pattern, out string? error)
    {
        try
        {
            _ = new Regex(Translate(pattern));
            error = "invalid pattern";
        }
        catch (ArgumentException e)
        {
            error = e.Message;
        }
        return false;
    }

    private static string Translate(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                switch (next)
                {
                    case 'A' or 'Z' or 'z' or 'a' or 'e':
                        throw new ArgumentException($"\\{next} is not an ECMA-262 escape");
                    case 'd':
                        result.Append(inClass ? "0-9" : "[0-9]");
                        break;
                    case 'D' when !inClass:
                        result.Append("[^0-9]");
                        break;
                    case 'w':
                        result.Append(inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]");
                        break;
                    case 'W' when !inClass:
                        result.Append("[^a-zA-Z0-9_]");
                        break;
                    default:
                        result.Append('\\').Append(next);
                        break;
                }
                continue;
            }
            if (inClass)
            {
                inClass = c != ']';
                result.Append(c);
                continue;
            }
            switch (c)
            {
                case '[':
                    inClass = true;
                    result.Append(c);
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        result.Append('^');
                        i++;
                    }
                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        // "[]" matches nothing and "[^]" anything in ECMA-262; .NET reads the ']' as a literal.
                        result.Length -= pattern[i] == '^' ? 2 : 1;
                        result.Append(pattern[i] == '^' ? "[\\s\\S]" : "(?!)");
                        i++;
                        inClass = false;
                    }
                    break;
                case '$':
                    result.Append("(?!\\n)$");
                    break;
                default:
                    result.Append(c);
                    break;
            }
        }
        return result.ToString();
    }
}
