using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strom.SchemaRegistry.Schemas.Json;

// The keywords over arrays and objects. Each records in the annotations (when a node with
// unevaluated* asks) the items and properties it evaluated.

/// <summary>
/// The item applicators as one: <paramref name="prefix"/> is the tuple part (prefixItems, or the
/// array form of items before 2020-12), <paramref name="rest"/> the schema for the items after it
/// (items, or additionalItems after an items array).
/// </summary>
internal sealed class ItemsKeyword(SchemaNode[]? prefix, SchemaNode? rest) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }
        var valid = true;
        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            var schema = prefix is not null && index < prefix.Length ? prefix[index] : rest;
            if (schema is null)
            {
                break;
            }
            evaluation.Push(index);
            var ok = schema.Evaluate(item, evaluation, null);
            evaluation.Pop();
            index++;
            if (!ok)
            {
                valid = false;
                if (evaluation.Errors is null)
                {
                    return false;
                }
            }
        }
        if (annotations is not null)
        {
            annotations.Prefix = Math.Max(annotations.Prefix, Math.Min(index, prefix?.Length ?? 0));
            annotations.AllItems |= rest is not null;
        }
        return valid;
    }
}

internal sealed class ItemCountKeyword(long min, long max) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }
        var count = instance.GetArrayLength();
        return count < min ? evaluation.Fail($"fewer than {min} items") : count <= max || evaluation.Fail($"more than {max} items");
    }
}

internal sealed class UniqueItemsKeyword : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }
        var items = new List<JsonElement>(instance.GetArrayLength());
        foreach (var item in instance.EnumerateArray())
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (JsonNumber.JsonEquals(items[i], item))
                {
                    return evaluation.Fail($"items {i} and {items.Count} are equal");
                }
            }
            items.Add(item);
        }
        return true;
    }
}

/// <summary>contains, with minContains/maxContains from 2019-09; in 2020-12 the matching items count as evaluated.</summary>
internal sealed class ContainsKeyword(SchemaNode schema, long min, long max, bool annotates) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Array)
        {
            return true;
        }
        var reporting = evaluation.Quiet();
        var matches = 0;
        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (schema.Evaluate(item, evaluation, null))
            {
                matches++;
                if (annotates)
                {
                    annotations?.AddItem(index);
                }
            }
            index++;
        }
        evaluation.Loud(reporting);
        return matches < min
            ? evaluation.Fail(min == 1 ? "no item matches contains" : $"{matches} items match contains, fewer than {min}")
            : matches <= max || evaluation.Fail($"{matches} items match contains, more than {max}");
    }
}

internal sealed class UnevaluatedItemsKeyword(SchemaNode schema) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Array || annotations is null || annotations.AllItems)
        {
            return true;
        }
        var valid = true;
        var index = 0;
        foreach (var item in instance.EnumerateArray())
        {
            if (!annotations.IsItemEvaluated(index))
            {
                evaluation.Push(index);
                var ok = schema.Evaluate(item, evaluation, null);
                evaluation.Pop();
                if (!ok)
                {
                    valid = false;
                    if (evaluation.Errors is null)
                    {
                        return false;
                    }
                }
            }
            index++;
        }
        annotations.AllItems = valid;
        return valid;
    }
}

internal sealed class RequiredKeyword(string[] names) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var valid = true;
        foreach (var name in names)
        {
            if (!instance.TryGetProperty(name, out _))
            {
                valid = evaluation.Fail($"required property {name} is missing");
                if (evaluation.Errors is null)
                {
                    return false;
                }
            }
        }
        return valid;
    }
}

/// <summary>dependentRequired (and draft 4-7 dependencies in array form).</summary>
internal sealed class DependentRequiredKeyword(Dictionary<string, string[]> dependencies) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var valid = true;
        foreach (var (name, needed) in dependencies)
        {
            if (!instance.TryGetProperty(name, out _))
            {
                continue;
            }
            foreach (var other in needed)
            {
                if (!instance.TryGetProperty(other, out _))
                {
                    valid = evaluation.Fail($"property {name} requires {other}");
                    if (evaluation.Errors is null)
                    {
                        return false;
                    }
                }
            }
        }
        return valid;
    }
}

internal sealed class PropertyCountKeyword(long min, long max) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var count = 0;
        foreach (var _ in instance.EnumerateObject())
        {
            count++;
        }
        return count < min ? evaluation.Fail($"fewer than {min} properties") : count <= max || evaluation.Fail($"more than {max} properties");
    }
}

/// <summary>properties, patternProperties and additionalProperties read together: additional means "matched by neither".</summary>
internal sealed class PropertiesKeyword(Dictionary<string, SchemaNode>? properties, (Regex Pattern, SchemaNode Schema)[]? patterns, SchemaNode? additional) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var valid = true;
        foreach (var property in instance.EnumerateObject())
        {
            var matched = false;
            evaluation.Push(property.Name);
            if (properties is not null && properties.TryGetValue(property.Name, out var schema))
            {
                matched = true;
                valid &= schema.Evaluate(property.Value, evaluation, null);
            }
            if (patterns is not null)
            {
                foreach (var (pattern, patternSchema) in patterns)
                {
                    if (pattern.IsMatch(property.Name))
                    {
                        matched = true;
                        valid &= patternSchema.Evaluate(property.Value, evaluation, null);
                    }
                }
            }
            if (!matched && additional is not null)
            {
                matched = true;
                valid &= additional.Evaluate(property.Value, evaluation, null);
            }
            evaluation.Pop();
            if (matched)
            {
                annotations?.AddProperty(property.Name);
            }
            if (!valid && evaluation.Errors is null)
            {
                return false;
            }
        }
        return valid;
    }
}

internal sealed class PropertyNamesKeyword(SchemaNode schema) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var valid = true;
        foreach (var property in instance.EnumerateObject())
        {
            using var name = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(property.Name));
            evaluation.Push(property.Name);
            valid &= schema.Evaluate(name.RootElement, evaluation, null);
            evaluation.Pop();
            if (!valid && evaluation.Errors is null)
            {
                return false;
            }
        }
        return valid;
    }
}

internal sealed class UnevaluatedPropertiesKeyword(SchemaNode schema) : Keyword
{
    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object || annotations is null || annotations.AllProperties)
        {
            return true;
        }
        var valid = true;
        foreach (var property in instance.EnumerateObject())
        {
            if (annotations.IsPropertyEvaluated(property.Name))
            {
                continue;
            }
            evaluation.Push(property.Name);
            var ok = schema.Evaluate(property.Value, evaluation, null);
            evaluation.Pop();
            if (!ok)
            {
                valid = evaluation.Fail($"property {property.Name} is not evaluated by any subschema and fails unevaluatedProperties");
                if (evaluation.Errors is null)
                {
                    return false;
                }
            }
        }
        annotations.AllProperties = valid;
        return valid;
    }
}
