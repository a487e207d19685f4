using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// The common "format" values as assertions (RFC 3339 dates and times and its appendix A
/// durations, RFC 5321 mailboxes, RFC 1123 host names, RFC 2673/4291 addresses, RFC 3986 URIs,
/// RFC 4122 UUIDs, ECMA-262 regexes, RFC 6901 pointers). Unknown formats pass, as the specification asks.
/// </summary>
public static partial class JsonSchemaFormats
{
    /// <summary>The formats <see cref="IsValid"/> checks.</summary>
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "date-time", "date", "time", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference", "uuid", "regex", "json-pointer", "duration",
    };

    public static bool IsValid(string format, string value) => format switch
    {
        "date-time" => IsDateTime(value),
        "date" => DateRegex().Match(value) is { Success: true } m && IsDate(m),
        "time" => TimeRegex().Match(value) is { Success: true } t && IsTime(t),
        "email" => IsEmail(value),
        "hostname" => IsHostname(value),
        "ipv4" => IsIPv4(value),
        "ipv6" => IsIPv6(value),
        "uri" => IsUri(value, requireScheme: true),
        "uri-reference" => IsUri(value, requireScheme: false),
        "uuid" => UuidRegex().IsMatch(value),
        "regex" => EcmaRegex.TryCreate(value, out _, out _),
        "json-pointer" => PointerRegex().IsMatch(value),
        "duration" => DurationRegex().IsMatch(value) && !value.EndsWith('T'),
        _ => true,
    };

    private static bool IsDateTime(string value)
    {
        var t = value.IndexOfAny(['T', 't']);
        return t > 0 && DateRegex().Match(value[..t]) is { Success: true } date && IsDate(date)
            && TimeRegex().Match(value[(t + 1)..]) is { Success: true } time && IsTime(time);
    }

    private static bool IsDate(Match m)
    {
        var year = Int(m, "y");
        var month = Int(m, "m");
        return month is >= 1 and <= 12 && Int(m, "d") is var day && day >= 1 && day <= DateTime.DaysInMonth(Math.Max(year, 1), month);
    }

    /// <summary>A leap second is only allowed where the time, moved to UTC, is 23:59:60.</summary>
    private static bool IsTime(Match m)
    {
        int hour = Int(m, "h"), minute = Int(m, "min"), second = Int(m, "s");
        if (hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }
        var offset = 0;
        if (m.Groups["oh"].Success)
        {
            int oh = Int(m, "oh"), om = Int(m, "om");
            if (oh > 23 || om > 59)
            {
                return false;
            }
            offset = (oh * 60 + om) * (m.Groups["sign"].Value == "-" ? -1 : 1);
        }
        if (second < 60)
        {
            return true;
        }
        var utc = ((hour * 60 + minute - offset) % 1440 + 1440) % 1440;
        return utc == 23 * 60 + 59;
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static bool IsEmail(string value)
    {
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
        {
            return false;
        }
        var local = value[..at];
        var domain = value[(at + 1)..];
        var localOk = local.StartsWith('"') ? QuotedLocalRegex().IsMatch(local) : DotAtomRegex().IsMatch(local);
        if (!localOk)
        {
            return false;
        }
        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            return literal.StartsWith("IPv6:", StringComparison.Ordinal) ? IsIPv6(literal[5..]) : IsIPv4(literal);
        }
        return IsHostname(domain);
    }

    private static bool IsHostname(string value)
    {
        if (value.Length is 0 or > 253)
        {
            return false;
        }
        foreach (var label in value.Split('.'))
        {
            if (!LabelRegex().IsMatch(label))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsIPv4(string value)
    {
        var parts = value.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static bool IsIPv6(string value)
    {
        if (value.Length == 0 || !value.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.'))
        {
            return false;
        }
        var tail = value.LastIndexOf(':');
        if (value.Contains('.', StringComparison.Ordinal) && !IsIPv4(value[(tail + 1)..]))
        {
            return false;
        }
        return IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>RFC 3986: a scheme (for "uri"), then only the characters a URI may hold, every "%" starting an escape.</summary>
    private static bool IsUri(string value, bool requireScheme)
    {
        var scheme = SchemeRegex().Match(value);
        if (requireScheme && !scheme.Success)
        {
            return false;
        }
        if (!scheme.Success)
        {
            var firstSegment = value.AsSpan()[..(value.IndexOfAny(['/', '?', '#']) is var end and >= 0 ? end : value.Length)];
            if (firstSegment.Contains(':'))
            {
                return false;
            }
        }
        var rest = scheme.Success ? value[scheme.Length..] : value;
        var hash = rest.IndexOf('#');
        if (hash >= 0 && rest.IndexOf('#', hash + 1) >= 0)
        {
            return false;
        }
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authorityEnd = rest.IndexOfAny(['/', '?', '#'], 2);
            var authority = authorityEnd < 0 ? rest[2..] : rest[2..authorityEnd];
            var open = authority.IndexOf('[');
            if (open >= 0 && (authority.IndexOf(']') is var close && close < open || !IsIPv6(authority[(open + 1)..close])
                && !authority[(open + 1)..close].StartsWith('v')))
            {
                return false;
            }
            rest = authorityEnd < 0 ? "" : rest[authorityEnd..];
            if (!UriCharsRegex().IsMatch(authority.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal)))
            {
                return false;
            }
        }
        return UriCharsRegex().IsMatch(rest.Replace("#", "", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<m>[0-9]{2})-(?<d>[0-9]{2})$")]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"^(?<h>[0-9]{2}):(?<min>[0-9]{2}):(?<s>[0-9]{2})(\.[0-9]+)?([Zz]|(?<sign>[+-])(?<oh>[0-9]{2}):(?<om>[0-9]{2}))$")]
    private static partial Regex TimeRegex();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")]
    private static partial Regex DotAtomRegex();

    [GeneratedRegex(@"^""([\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*""$")]
    private static partial Regex QuotedLocalRegex();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelRegex();

    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidRegex();

    [GeneratedRegex(@"^(/([^~/]|~[01])*)*$")]
    private static partial Regex PointerRegex();

    [GeneratedRegex(@"^P(?!$)(([0-9]+W)|([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?)$")]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex SchemeRegex();

    [GeneratedRegex(@"^([A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$")]
    private static partial Regex UriCharsRegex();
}
