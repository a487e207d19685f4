namespace Strom.Avro.Generic;

/// <summary>
/// A record value for any record schema. Generic data maps Avro types to .NET as: null -> null,
/// boolean -> bool, int -> int, long -> long, float -> float, double -> double, bytes -> byte[],
/// string -> string, record -> <see cref="GenericRecord"/>, enum -> <see cref="GenericEnum"/>,
/// fixed -> <see cref="GenericFixed"/>, array -> IList&lt;object?&gt;, map -> IDictionary&lt;string, object?&gt;,
/// union -> the value of the branch it holds. Logical types keep their base representation.
/// </summary>
public sealed class GenericRecord : IEquatable<GenericRecord>
{
    private readonly object?[] _values;

    public GenericRecord(RecordSchema schema)
    {
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    public RecordSchema Schema { get; }

    public object? this[int position]
    {
        get => _values[position];
        set => _values[position] = value;
    }

    public object? this[string field]
    {
        get => _values[Position(field)];
        set => _values[Position(field)] = value;
    }

    /// <summary>Sets a field and returns this record, for building values in one expression.</summary>
    public GenericRecord With(string field, object? value)
    {
        this[field] = value;
        return this;
    }

    public bool Equals(GenericRecord? other) => GenericData.DeepEquals(this, other);

    public override bool Equals(object? obj) => obj is GenericRecord other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Schema.FullName, _values.Length);

    public override string ToString() => GenericData.ToDisplayString(this);

    private int Position(string field) =>
        Schema.GetField(field)?.Position ?? throw new KeyNotFoundException($"Record {Schema.FullName} has no field {field}");
}

/// <summary>An enum value: one symbol of its schema.</summary>
public sealed record GenericEnum
{
    public GenericEnum(EnumSchema schema, string symbol)
    {
        if (schema.IndexOf(symbol) < 0)
        {
            throw new AvroDataException($"{symbol} is not a symbol of enum {schema.FullName}");
        }
        Schema = schema;
        Symbol = symbol;
    }

    public EnumSchema Schema { get; }
    public string Symbol { get; }

    public override string ToString() => Symbol;
}

/// <summary>A fixed value: exactly <see cref="FixedSchema.Size"/> bytes.</summary>
public sealed class GenericFixed : IEquatable<GenericFixed>
{
    public GenericFixed(FixedSchema schema, byte[] value)
    {
        if (value.Length != schema.Size)
        {
            throw new AvroDataException($"Fixed {schema.FullName} needs {schema.Size} bytes, got {value.Length}");
        }
        Schema = schema;
        Value = value;
    }

    public FixedSchema Schema { get; }
    public byte[] Value { get; }

    public bool Equals(GenericFixed? other) => other is not null && other.Schema.FullName == Schema.FullName && other.Value.AsSpan().SequenceEqual(Value);

    public override bool Equals(object? obj) => obj is GenericFixed other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Schema.FullName, Value.Length);

    public override string ToString() => Convert.ToHexString(Value);
}
