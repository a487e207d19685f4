using System.Text.Json;

namespace Strom.SchemaRegistry.Schemas.Json;

// The keywords that apply subschemas to the instance itself. What they evaluated counts for
// unevaluated* only from subschemas that passed: allOf, $ref, then/else and dependentSchemas
// share the caller's annotations (a failure fails the caller); anyOf, oneOf and if collect
// into their own and keep them when valid; not keeps none.

internal sealed class AllOfKeyword(SchemaNode[] schemas) : Keyword
{
    public override IEnumerable<SchemaNode> InPlace => schemas;

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var valid = true;
        foreach (var schema in schemas)
        {
            if (!schema.Evaluate(instance, evaluation, annotations))
            {
                valid = false;
                if (evaluation.Errors is null)
                {
                    return false;
                }
            }
        }
        return valid;
    }
}

internal sealed class AnyOfKeyword(SchemaNode[] schemas) : Keyword
{
    public override IEnumerable<SchemaNode> InPlace => schemas;

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var reporting = evaluation.Quiet();
        var inner = reporting is null ? null : new List<string>();
        var valid = false;
        foreach (var schema in schemas)
        {
            var branch = annotations is null ? null : new Annotations();
            evaluation.Loud(inner);
            if (schema.Evaluate(instance, evaluation, branch))
            {
                valid = true;
                if (branch is null)
                {
                    break;
                }
                annotations!.Merge(branch);
            }
        }
        evaluation.Loud(reporting);
        return valid || evaluation.Fail($"matches none of anyOf ({string.Join("; ", inner ?? [])})");
    }
}

internal sealed class OneOfKeyword(SchemaNode[] schemas) : Keyword
{
    public override IEnumerable<SchemaNode> InPlace => schemas;

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var reporting = evaluation.Quiet();
        var inner = reporting is null ? null : new List<string>();
        var passed = new List<int>();
        Annotations? kept = null;
        for (var i = 0; i < schemas.Length && passed.Count < 2; i++)
        {
            var branch = annotations is null ? null : new Annotations();
            evaluation.Loud(inner);
            if (schemas[i].Evaluate(instance, evaluation, branch))
            {
                passed.Add(i);
                kept = branch;
            }
        }
        evaluation.Loud(reporting);
        if (passed.Count == 1)
        {
            if (kept is not null)
            {
                annotations!.Merge(kept);
            }
            return true;
        }
        return passed.Count == 0
            ? evaluation.Fail($"matches none of oneOf ({string.Join("; ", inner ?? [])})")
            : evaluation.Fail($"matches oneOf branches {passed[0]} and {passed[1]}, expected exactly one");
    }
}

internal sealed class NotKeyword(SchemaNode schema) : Keyword
{
    public override IEnumerable<SchemaNode> InPlace => [schema];

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var reporting = evaluation.Quiet();
        var matched = schema.Evaluate(instance, evaluation, null);
        evaluation.Loud(reporting);
        return !matched || evaluation.Fail("must not match the schema under not");
    }
}

internal sealed class IfKeyword(SchemaNode condition, SchemaNode? then, SchemaNode? otherwise) : Keyword
{
    public override IEnumerable<SchemaNode> InPlace => new[] { condition, then, otherwise }.OfType<SchemaNode>();

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var reporting = evaluation.Quiet();
        var branch = annotations is null ? null : new Annotations();
        var holds = condition.Evaluate(instance, evaluation, branch);
        evaluation.Loud(reporting);
        if (holds && branch is not null)
        {
            annotations!.Merge(branch);
        }
        var next = holds ? then : otherwise;
        return next is null || next.Evaluate(instance, evaluation, annotations);
    }
}

/// <summary>dependentSchemas (and draft 4-7 dependencies in schema form): applied when the property is present.</summary>
internal sealed class DependentSchemasKeyword(Dictionary<string, SchemaNode> schemas) : Keyword
{
    public override IEnumerable<SchemaNode> InPlace => schemas.Values;

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var valid = true;
        foreach (var (name, schema) in schemas)
        {
            if (instance.TryGetProperty(name, out _) && !schema.Evaluate(instance, evaluation, annotations))
            {
                valid = false;
                if (evaluation.Errors is null)
                {
                    return false;
                }
            }
        }
        return valid;
    }
}

/// <summary>$ref, resolved when compiled. The target is set after construction so that cycles compile.</summary>
internal sealed class RefKeyword(string reference) : Keyword
{
    public SchemaNode? Target { get; set; }

    public override IEnumerable<SchemaNode> InPlace => Target is null ? [] : [Target];

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations) =>
        Target?.Evaluate(instance, evaluation, annotations) ?? evaluation.Fail($"$ref {reference} does not resolve");
}

/// <summary>
/// 2020-12 $dynamicRef: when its static target carries the same $dynamicAnchor, the outermost
/// resource in the dynamic scope that declares that anchor wins; otherwise it is a plain $ref.
/// </summary>
internal sealed class DynamicRefKeyword(string reference, string? anchor, CompiledSchema compiled) : Keyword
{
    public SchemaNode? Target { get; set; }

    public override IEnumerable<SchemaNode> InPlace => Target is null ? [] : [Target];
    public bool Bookended { get; set; }

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var target = Target;
        if (Bookended && anchor is not null)
        {
            foreach (var resource in evaluation.Scope)
            {
                if (compiled.DynamicAnchor(resource, anchor) is { } dynamic)
                {
                    target = dynamic;
                    break;
                }
            }
        }
        return target?.Evaluate(instance, evaluation, annotations) ?? evaluation.Fail($"$dynamicRef {reference} does not resolve");
    }
}

/// <summary>
/// 2019-09 $recursiveRef: when its static target has "$recursiveAnchor": true, it resolves against
/// the outermost resource in the dynamic scope that also has it.
/// </summary>
internal sealed class RecursiveRefKeyword(string reference, CompiledSchema compiled) : Keyword
{
    public SchemaNode? Target { get; set; }

    public override IEnumerable<SchemaNode> InPlace => Target is null ? [] : [Target];
    public bool Anchored { get; set; }

    public override bool Evaluate(JsonElement instance, Evaluation evaluation, Annotations? annotations)
    {
        var target = Target;
        if (Anchored)
        {
            foreach (var resource in evaluation.Scope)
            {
                if (compiled.RecursiveAnchor(resource) is { } outer)
                {
                    target = outer;
                    break;
                }
            }
        }
        return target?.Evaluate(instance, evaluation, annotations) ?? evaluation.Fail($"$recursiveRef {reference} does not resolve");
    }
}
