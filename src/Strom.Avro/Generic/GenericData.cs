using System.Globalization;
using System.Text;

namespace Strom.Avro.Generic;

/// <summary>Structural equality and display of generic data.</summary>
public static class GenericData
{
    public static bool DeepEquals(object? a, object? b)
    {
        switch (a)
        {
            case null:
                return b is null;
            case GenericRecord ra:
                if (b is not GenericRecord rb || rb.Schema.FullName != ra.Schema.FullName || rb.Schema.Fields.Count != ra.Schema.Fields.Count)
                {
                    return false;
                }
                for (var i = 0; i < ra.Schema.Fields.Count; i++)
                {
                    if (!DeepEquals(ra[i], rb[i]))
                    {
                        return false;
                    }
                }
                return true;
            case byte[] ba:
                return b is byte[] bb && ba.AsSpan().SequenceEqual(bb);
            case float fa:
                return b is float fb && (fa.Equals(fb));
            case double da:
                return b is double db && da.Equals(db);
            case IDictionary<string, object?> ma:
                if (b is not IDictionary<string, object?> mb || ma.Count != mb.Count)
                {
                    return false;
                }
                foreach (var (key, value) in ma)
                {
                    if (!mb.TryGetValue(key, out var other) || !DeepEquals(value, other))
                    {
                        return false;
                    }
                }
                return true;
            case IList<object?> la:
                if (b is not IList<object?> lb || la.Count != lb.Count)
                {
                    return false;
                }
                for (var i = 0; i < la.Count; i++)
                {
                    if (!DeepEquals(la[i], lb[i]))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return a.Equals(b);
        }
    }

    /// <summary>A JSON-like rendering for messages and test output.</summary>
    public static string ToDisplayString(object? datum)
    {
        var sb = new StringBuilder();
        Append(sb, datum);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, object? datum)
    {
        switch (datum)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case string s:
                sb.Append('"').Append(s).Append('"');
                break;
            case byte[] bytes:
                sb.Append("0x").Append(Convert.ToHexString(bytes));
                break;
            case GenericRecord r:
                sb.Append('{');
                for (var i = 0; i < r.Schema.Fields.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }
                    sb.Append('"').Append(r.Schema.Fields[i].Name).Append("\": ");
                    Append(sb, r[i]);
                }
                sb.Append('}');
                break;
            case IDictionary<string, object?> map:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in map)
                {
                    sb.Append(first ? "" : ", ").Append('"').Append(k).Append("\": ");
                    Append(sb, v);
                    first = false;
                }
                sb.Append('}');
                break;
            case IList<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    sb.Append(i > 0 ? ", " : "");
                    Append(sb, list[i]);
                }
                sb.Append(']');
                break;
            case IFormattable f:
                sb.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                sb.Append(datum);
                break;
        }
    }
}
