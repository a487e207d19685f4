using System.Text.Json;

namespace Strom.Avro;

/// <summary>The Avro types (specification 1.11, "Schema Declaration").</summary>
public enum AvroType
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

/// <summary>
/// A parsed Avro schema. Instances form a graph (recursive records refer back to themselves), are
/// immutable once <see cref="AvroSchema.Parse(string)"/> returns, and compare by reference.
/// </summary>
public abstract class Schema
{
    private static readonly IReadOnlyList<KeyValuePair<string, JsonElement>> NoProps = [];

    private protected Schema(AvroType type) => Type = type;

    public AvroType Type { get; }

    /// <summary>The valid logical type annotating this schema, if any. Invalid annotations are kept only as properties.</summary>
    public LogicalType? LogicalType { get; internal set; }

    /// <summary>Attributes the specification does not define (kept and written back, ignored by canonical form).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonElement>> Props { get; internal set; } = NoProps;

    /// <summary>The type name as written in JSON: "int", "record", ...</summary>
    public string TypeName => TypeNames[(int)Type];

    internal static readonly string[] TypeNames =
        ["null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum", "array", "map", "union", "fixed"];

    /// <summary>The schema as compact JSON with every attribute kept (Avro's Schema.toString form).</summary>
    public override string ToString() => SchemaWriter.ToJson(this);

    /// <summary>The Parsing Canonical Form of the specification.</summary>
    public string ToCanonicalForm() => SchemaWriter.ToCanonicalForm(this);
}

public sealed class PrimitiveSchema : Schema
{
    private static readonly PrimitiveSchema[] Plain =
    [
        new(AvroType.Null), new(AvroType.Boolean), new(AvroType.Int), new(AvroType.Long),
        new(AvroType.Float), new(AvroType.Double), new(AvroType.Bytes), new(AvroType.String),
    ];

    internal PrimitiveSchema(AvroType type) : base(type)
    {
    }

    /// <summary>The shared, unannotated schema of a primitive type.</summary>
    public static PrimitiveSchema Get(AvroType type) => Plain[(int)type];

    public static PrimitiveSchema Null => Plain[0];
    public static PrimitiveSchema Boolean => Plain[1];
    public static PrimitiveSchema Int => Plain[2];
    public static PrimitiveSchema Long => Plain[3];
    public static PrimitiveSchema Float => Plain[4];
    public static PrimitiveSchema Double => Plain[5];
    public static PrimitiveSchema Bytes => Plain[6];
    public static PrimitiveSchema String => Plain[7];
}

/// <summary>Records, enums and fixed: types with a full name that later schemas may refer to.</summary>
public abstract class NamedSchema : Schema
{
    private protected NamedSchema(AvroType type, SchemaName name, IReadOnlyList<string> aliases, string? doc) : base(type)
    {
        SchemaName = name;
        Aliases = aliases;
        Doc = doc;
    }

    public SchemaName SchemaName { get; }
    public string Name => SchemaName.Name;
    public string? Namespace => SchemaName.Namespace;
    public string FullName => SchemaName.FullName;

    /// <summary>Alias full names (resolved against this schema's namespace).</summary>
    public IReadOnlyList<string> Aliases { get; }

    public string? Doc { get; }
}

public sealed class RecordSchema : NamedSchema
{
    private Dictionary<string, Field> _byName = new(StringComparer.Ordinal);

    internal RecordSchema(SchemaName name, IReadOnlyList<string> aliases, string? doc, bool isError)
        : base(AvroType.Record, name, aliases, doc) => IsError = isError;

    /// <summary>Declared as "error" (a record in every respect but its type name).</summary>
    public bool IsError { get; }

    public IReadOnlyList<Field> Fields { get; private set; } = [];

    public Field? GetField(string name) => _byName.GetValueOrDefault(name);

    internal void SetFields(List<Field> fields)
    {
        Fields = fields;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }
}

public enum SortOrder
{
    Ascending,
    Descending,
    Ignore,
}

public sealed class Field
{
    internal Field(string name, int position, Schema schema, JsonElement? defaultValue, SortOrder order,
        IReadOnlyList<string> aliases, string? doc, IReadOnlyList<KeyValuePair<string, JsonElement>> props)
    {
        Name = name;
        Position = position;
        Schema = schema;
        Default = defaultValue;
        Order = order;
        Aliases = aliases;
        Doc = doc;
        Props = props;
    }

    public string Name { get; }
    public int Position { get; }
    public Schema Schema { get; }

    /// <summary>The default as JSON (already checked against <see cref="Schema"/>); null when the field has none.</summary>
    public JsonElement? Default { get; }

    public bool HasDefault => Default.HasValue;
    public SortOrder Order { get; }
    public IReadOnlyList<string> Aliases { get; }
    public string? Doc { get; }
    public IReadOnlyList<KeyValuePair<string, JsonElement>> Props { get; }
}

public sealed class EnumSchema : NamedSchema
{
    private readonly Dictionary<string, int> _index;

    internal EnumSchema(SchemaName name, IReadOnlyList<string> aliases, string? doc, IReadOnlyList<string> symbols, string? defaultSymbol)
        : base(AvroType.Enum, name, aliases, doc)
    {
        Symbols = symbols;
        Default = defaultSymbol;
        _index = new Dictionary<string, int>(symbols.Count, StringComparer.Ordinal);
        for (var i = 0; i < symbols.Count; i++)
        {
            _index[symbols[i]] = i;
        }
    }

    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The symbol a reader uses for writer symbols it does not know (spec 1.9+).</summary>
    public string? Default { get; }

    /// <summary>Position of a symbol, or -1.</summary>
    public int IndexOf(string symbol) => _index.TryGetValue(symbol, out var i) ? i : -1;
}

public sealed class FixedSchema : NamedSchema
{
    internal FixedSchema(SchemaName name, IReadOnlyList<string> aliases, string? doc, int size)
        : base(AvroType.Fixed, name, aliases, doc) => Size = size;

    public int Size { get; }
}

public sealed class ArraySchema : Schema
{
    internal ArraySchema(Schema items) : base(AvroType.Array) => Items = items;

    public Schema Items { get; }
}

public sealed class MapSchema : Schema
{
    internal MapSchema(Schema values) : base(AvroType.Map) => Values = values;

    public Schema Values { get; }
}

public sealed class UnionSchema : Schema
{
    internal UnionSchema(IReadOnlyList<Schema> branches) : base(AvroType.Union) => Branches = branches;

    public IReadOnlyList<Schema> Branches { get; }
}

/// <summary>A logical type annotation (spec "Logical Types"). Precision and scale apply to decimal only.</summary>
public sealed record LogicalType(string Name, int Precision = 0, int Scale = 0)
{
    public const string Decimal = "decimal";
    public const string Uuid = "uuid";
    public const string Date = "date";
    public const string TimeMillis = "time-millis";
    public const string TimeMicros = "time-micros";
    public const string TimestampMillis = "timestamp-millis";
    public const string TimestampMicros = "timestamp-micros";
    public const string LocalTimestampMillis = "local-timestamp-millis";
    public const string LocalTimestampMicros = "local-timestamp-micros";
    public const string Duration = "duration";
}

/// <summary>A full name split into its namespace (null when none) and simple name.</summary>
public readonly record struct SchemaName(string Name, string? Namespace)
{
    public string FullName => Namespace is null ? Name : Namespace + "." + Name;

    public override string ToString() => FullName;

    /// <summary>
    /// Resolves a name as written in a schema: a dotted name is already full; otherwise it takes the
    /// explicit namespace, or failing that the enclosing one (spec "Names").
    /// </summary>
    public static SchemaName Resolve(string name, string? explicitNamespace, string? enclosingNamespace)
    {
        var dot = name.LastIndexOf('.');
        if (dot >= 0)
        {
            return new SchemaName(name[(dot + 1)..], name[..dot]);
        }
        var ns = explicitNamespace ?? enclosingNamespace;
        return new SchemaName(name, string.IsNullOrEmpty(ns) ? null : ns);
    }
}
