using System.Text;
using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

/// <summary>
/// One compiled schema: its keywords, read once from the JSON, each a check over an instance. A
/// node with unevaluatedProperties/unevaluatedItems collects, for its instance, what its other
/// keywords and the subschemas applied in place (allOf, $ref, if/then/else ...) evaluated.
/// </summary>
internal sealed class SchemaNode(string location, string resource)
{
    public const int MaxDepth = 512;

    /// <summary>true / false for the boolean schemas.</summary>
    public bool? Constant { get; set; }

    public Keyword[] Keywords { get; set; } = [];

    /// <summary>Whether this node holds unevaluatedProperties or unevaluatedItems (which run last).</summary>
    public bool CollectsAnnotations { get; set; }

    public string Location { get; } = location;

    /// <summary>The base URI of the resource the node is in: its dynamic scope entry.</summary>
    public string Resource { get; } = resource;

    public bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (Constant is { } constant)
        {
            return constant || evaluation.Fail("no value is allowed here (schema false)");
        }
        if (evaluation.Depth >= MaxDepth)
        {
            return evaluation.Fail($"evaluation deeper than {MaxDepth} schemas (a $ref cycle?) at {Location}");
        }
        evaluation.Depth++;
        var entered = evaluation.EnterResource(Resource);
        var local = CollectsAnnotations ? new Annotations() : annotations;
        var valid = true;
        foreach (var keyword in Keywords)
        {
            if (!keyword.Evaluate(instance, evaluation, local))
            {
                valid = false;
                if (evaluation.Errors is null)
                {
                    break;
                }
            }
        }
        if (valid && CollectsAnnotations && annotations is not null)
        {
            annotations.Merge(local!);
        }
        evaluation.LeaveResource(entered);
        evaluation.Depth--;
        return valid;
    }
}

/// <summary>One keyword (or a group of keywords read together) of a compiled schema.</summary>
internal abstract class Keyword
{
    /// <summary>The subschemas it applies to the instance itself (not to its properties or items): $ref, allOf, if ...</summary>
    public virtual IEnumerable<SchemaNode> InPlace => [];

    /// <summary>Checks <paramref name="instance"/>; records in <paramref name="annotations"/> (when given) what it evaluated.</summary>
    public abstract bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations);
}

/// <summary>What was evaluated at one instance location: property names and array indexes.</summary>
internal sealed class Annotations
{
    public HashSet<string>? Properties { get; private set; }
    public bool AllProperties { get; set; }
    public int Prefix { get; set; }
    public bool AllItems { get; set; }
    public HashSet<int>? Items { get; private set; }

    public void AddProperty(string name) => (Properties ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);

    public void AddItem(int index) => (Items ??= []).Add(index);

    public bool IsPropertyEvaluated(string name) => AllProperties || (Properties?.Contains(name) ?? false);

    public bool IsItemEvaluated(int index) => AllItems || index < Prefix || (Items?.Contains(index) ?? false);

    public void Merge(Annotations other)
    {
        AllProperties |= other.AllProperties;
        AllItems |= other.AllItems;
        Prefix = Math.Max(Prefix, other.Prefix);
        if (other.Properties is not null)
        {
            foreach (var name in other.Properties)
            {
                AddProperty(name);
            }
        }
        if (other.Items is not null)
        {
            foreach (var index in other.Items)
            {
                AddItem(index);
            }
        }
    }
}

/// <summary>
/// The state of one validation: the failures (null when only validity matters, so the first failure
/// ends it), the instance path, the dynamic scope (resources entered, outermost first) and the options.
/// </summary>
internal sealed class Evaluation(JsonSchemaValidationOptions options, List<string>? errors)
{
    private readonly List<(string? Name, int Index)> _path = [];
    private readonly List<string> _scope = [];

    public List<string>? Errors { get; private set; } = errors;
    public JsonSchemaValidationOptions Options { get; } = options;
    public int Depth { get; set; }
    public IReadOnlyList<string> Scope => _scope;

    public bool Fail(string message)
    {
        Errors?.Add(Path() + ": " + message);
        return false;
    }

    /// <summary>Runs a check whose failures are not reported (anyOf branches, not, if, contains); restores reporting after.</summary>
    public List<string>? Quiet()
    {
        var errors = Errors;
        Errors = null;
        return errors;
    }

    public void Loud(List<string>? errors) => Errors = errors;

    public void Push(string name) => _path.Add((name, 0));

    public void Push(int index) => _path.Add((null, index));

    public void Pop() => _path.RemoveAt(_path.Count - 1);

    public bool EnterResource(string resource)
    {
        if (_scope.Count > 0 && string.Equals(_scope[^1], resource, StringComparison.Ordinal))
        {
            return false;
        }
        _scope.Add(resource);
        return true;
    }

    public void LeaveResource(bool entered)
    {
        if (entered)
        {
            _scope.RemoveAt(_scope.Count - 1);
        }
    }

    private string Path()
    {
        var text = new StringBuilder("$");
        foreach (var (name, index) in _path)
        {
            _ = name is null ? text.Append('[').Append(index).Append(']') : text.Append('.').Append(name);
        }
        return text.ToString();
    }
}
