using System.Text;
using Strom.Broker.Options;

namespace Strom.Broker.Security;

/// <summary>
/// Kafka's sasl.jaas.config value: <c>LoginModuleClass flag key="value" ...;</c>, possibly several
/// modules. For PLAIN the broker reads its users from the <c>user_NAME="password"</c> options of
/// PlainLoginModule, exactly as Kafka does.
/// </summary>
public sealed record JaasLoginModule(string ClassName, string Flag, IReadOnlyDictionary<string, string> Options)
{
    public static IReadOnlyList<JaasLoginModule> Parse(string text)
    {
        var modules = new List<JaasLoginModule>();
        var i = 0;
        while (true)
        {
            SkipSpace(text, ref i);
            if (i >= text.Length)
            {
                return modules;
            }
            var className = Word(text, ref i);
            SkipSpace(text, ref i);
            var flag = Word(text, ref i);
            if (className.Length == 0 || flag is not ("required" or "requisite" or "sufficient" or "optional"))
            {
                throw new ConfigException($"Invalid JAAS config '{Mask(text)}': expected 'LoginModuleClass required key=\"value\" ...;'");
            }
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            while (true)
            {
                SkipSpace(text, ref i);
                if (i >= text.Length)
                {
                    throw new ConfigException($"Invalid JAAS config for {className}: missing ';' at the end");
                }
                if (text[i] == ';')
                {
                    i++;
                    break;
                }
                var key = Word(text, ref i, stopAt: '=');
                if (key.Length == 0 || i >= text.Length || text[i] != '=')
                {
                    throw new ConfigException($"Invalid JAAS config for {className}: expected key=value");
                }
                i++;
                options[key] = Value(text, ref i, className);
            }
            modules.Add(new JaasLoginModule(className, flag, options));
        }
    }

    /// <summary>PLAIN users from PlainLoginModule's <c>user_NAME</c> options.</summary>
    public static Dictionary<string, string> PlainUsers(IEnumerable<JaasLoginModule> modules)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            foreach (var (key, value) in module.Options)
            {
                if (key.StartsWith("user_", StringComparison.Ordinal) && key.Length > 5)
                {
                    users[key[5..]] = value;
                }
            }
        }
        return users;
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }

    private static string Word(string text, ref int i, char stopAt = '\0')
    {
        var start = i;
        while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != ';' && text[i] != stopAt)
        {
            i++;
        }
        return text[start..i];
    }

    private static string Value(string text, ref int i, string className)
    {
        if (i < text.Length && text[i] == '"')
        {
            var value = new StringBuilder();
            i++;
            while (i < text.Length && text[i] != '"')
            {
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    i++;
                }
                value.Append(text[i]);
                i++;
            }
            if (i >= text.Length)
            {
                throw new ConfigException($"Invalid JAAS config for {className}: unterminated quoted value");
            }
            i++;
            return value.ToString();
        }
        return Word(text, ref i);
    }

    /// <summary>Error messages must not echo passwords.</summary>
    private static string Mask(string text) => text.Split(' ', 2)[0] + " ...";
}
