using System.Text;
using Strom.SchemaRegistry.Schemas.Protobuf.Descriptors;

namespace Strom.SchemaRegistry.Schemas.Protobuf;

/// <summary>
/// Prints a model as .proto text: the form the registry stores and returns, whether the schema came
/// as text or as a FileDescriptorProto (as Confluent's registry re-prints schemas). Layout is fixed:
/// syntax, package, imports, file options, then messages, enums, services; in a message its options,
/// reserved and extension ranges, fields in declaration order (a oneof where its first field is),
/// nested messages (those declared before a map field before it), enums. Options are ordered by
/// their descriptor field number (custom ones last, as written), so a schema gets the same text
/// from either form. Comments are not kept.
/// </summary>
internal sealed class ProtoPrinter
{
    private const int MaxFieldNumber = 536_870_911;
    private readonly StringBuilder _out = new();
    private readonly Func<string, string, string>? _shorten;
    private readonly bool _proto2;

    private ProtoPrinter(Func<string, string, string>? shorten, bool proto2)
    {
        _shorten = shorten;
        _proto2 = proto2;
    }

    /// <param name="shorten">Given a resolved type's full name and the scope using it, the name to print (null: types as written).</param>
    public static string Print(ProtoFile file, Func<string, string, string>? shorten = null)
    {
        var printer = new ProtoPrinter(shorten, file.Syntax == "proto2");
        printer.File(file);
        return printer._out.ToString();
    }

    private void File(ProtoFile file)
    {
        Line(0, file.Syntax == "editions" ? "edition = \"2023\";" : $"syntax = \"{file.Syntax}\";");
        if (file.Package.Length > 0)
        {
            Line(0, $"package {file.Package};");
        }
        if (file.Imports.Count > 0)
        {
            _out.Append('\n');
        }
        foreach (var import in file.Imports)
        {
            var kind = file.PublicImports.Contains(import) ? "public " : file.WeakImports.Contains(import) ? "weak " : "";
            Line(0, $"import {kind}{Literals.Quote(import)};");
        }
        if (file.Options.Count > 0)
        {
            _out.Append('\n');
            Options(0, OptionScope.File, file.Options);
        }
        foreach (var message in file.Messages)
        {
            _out.Append('\n');
            Message(0, message);
        }
        foreach (var e in file.Enums)
        {
            _out.Append('\n');
            Enum(0, e);
        }
        foreach (var service in file.Services)
        {
            _out.Append('\n');
            Service(service);
        }
    }

    private void Message(int depth, ProtoMessage message, ProtoField? group = null)
    {
        Line(depth, group is null
            ? $"message {message.Name} {{"
            : $"{(group.Label is null ? "" : group.Label + " ")}group {message.Name} = {group.Number}{FieldOptions(group)} {{");
        var inner = depth + 1;
        Options(inner, OptionScope.Message, message.Options);
        Ranges(inner, "reserved", message.ReservedRanges, MaxFieldNumber);
        if (message.ReservedNames.Count > 0)
        {
            Line(inner, $"reserved {string.Join(", ", message.ReservedNames.Select(Literals.Quote))};");
        }
        Ranges(inner, "extensions", message.ExtensionRanges, MaxFieldNumber);
        var printedOneOfs = new HashSet<string>(StringComparer.Ordinal);
        var nestedPrinted = 0;
        foreach (var field in message.Fields)
        {
            if (field.OneOf is null)
            {
                if (field.Map is not null)
                {
                    // Nested messages declared before a map come before it: that order places its entry type in a descriptor.
                    NestedUpTo(field.NestedBefore);
                }
                Field(inner, message, field);
            }
            else if (printedOneOfs.Add(field.OneOf))
            {
                Line(inner, $"oneof {field.OneOf} {{");
                foreach (var member in message.Fields.Where(f => f.OneOf == field.OneOf))
                {
                    Field(inner + 1, message, member);
                }
                Line(inner, "}");
            }
        }
        NestedUpTo(message.Nested.Count);
        foreach (var e in message.Enums)
        {
            Enum(inner, e);
        }
        Line(depth, "}");

        void NestedUpTo(int count)
        {
            for (; nestedPrinted < Math.Min(count, message.Nested.Count); nestedPrinted++)
            {
                var nested = message.Nested[nestedPrinted];
                if (!message.Fields.Any(f => f.IsGroup && f.Type == nested.Name))
                {
                    Message(inner, nested);
                }
            }
        }
    }

    private void Field(int depth, ProtoMessage message, ProtoField field)
    {
        if (field.IsGroup)
        {
            Message(depth, message.Nested.First(n => n.Name == field.Type), field);
            return;
        }
        string type;
        if (field.Map is { } map)
        {
            type = $"map<{map.Key}, {(map.ResolvedValue is { } v ? TypeName(v, message.FullName) : map.Value)}>";
        }
        else
        {
            type = field.ResolvedType is { } resolved ? TypeName(resolved, message.FullName) : field.Type;
        }
        // proto2 requires a label; a field written without one is optional.
        var label = field.OneOf is not null || field.Map is not null ? "" : field.Label is null ? (_proto2 ? "optional " : "") : field.Label + " ";
        Line(depth, $"{label}{type} {field.Name} = {field.Number}{FieldOptions(field)};");
    }

    private string TypeName(string fullName, string scope) => _shorten?.Invoke(fullName, scope) ?? fullName;

    private static string FieldOptions(ProtoField field) => Bracketed(OptionScope.Field, field.Options);

    private static string Bracketed(OptionScope scope, List<ProtoOption>? options) =>
        options is null || options.Count == 0
            ? ""
            : $" [{string.Join(", ", DescriptorOptions.Ordered(scope, options).Select(o => $"{o.Name} = {(o.Name == "default" ? Decimal(o.Value) : o.Value)}"))}]";

    /// <summary>A hexadecimal default in decimal, as a descriptor's default_value has it.</summary>
    private static string Decimal(string value)
    {
        var digits = value.TrimStart('-');
        return digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(digits.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? (value.StartsWith('-') ? -n : n).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : value;
    }

    private void Enum(int depth, ProtoEnum e)
    {
        Line(depth, $"enum {e.Name} {{");
        Options(depth + 1, OptionScope.Enum, e.Options);
        Ranges(depth + 1, "reserved", e.ReservedRanges, int.MaxValue);
        if (e.ReservedNames.Count > 0)
        {
            Line(depth + 1, $"reserved {string.Join(", ", e.ReservedNames.Select(Literals.Quote))};");
        }
        foreach (var (name, number) in e.Values)
        {
            Line(depth + 1, $"{name} = {number}{Bracketed(OptionScope.EnumValue, e.ValueOptions.GetValueOrDefault(name))};");
        }
        Line(depth, "}");
    }

    private void Service(ProtoService service)
    {
        Line(0, $"service {service.Name} {{");
        Options(1, OptionScope.Service, service.Options);
        foreach (var m in service.Methods)
        {
            var signature = $"rpc {m.Name}({(m.ClientStreaming ? "stream " : "")}{m.InputType}) returns ({(m.ServerStreaming ? "stream " : "")}{m.OutputType})";
            if (m.Options.Count == 0)
            {
                Line(1, signature + ";");
                continue;
            }
            Line(1, signature + " {");
            Options(2, OptionScope.Method, m.Options);
            Line(1, "}");
        }
        Line(0, "}");
    }

    private void Options(int depth, OptionScope scope, List<ProtoOption> options)
    {
        foreach (var option in DescriptorOptions.Ordered(scope, options))
        {
            Line(depth, $"option {option.Name} = {option.Value};");
        }
    }

    private void Ranges(int depth, string keyword, List<ProtoRange> ranges, int max)
    {
        if (ranges.Count > 0)
        {
            Line(depth, $"{keyword} {string.Join(", ", ranges.Select(r => r.Start == r.End ? $"{r.Start}" : $"{r.Start} to {(r.End == max ? "max" : r.End)}"))};");
        }
    }

    private void Line(int depth, string text) => _out.Append(' ', depth * 2).Append(text).Append('\n');
}
