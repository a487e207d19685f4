using System.Diagnostics.CodeAnalysis;

namespace Strom.Avro;

/// <summary>A schema that is not valid Avro: bad JSON, an unknown type, a bad name, a default that does not match.</summary>
public sealed class AvroSchemaException(string message) : Exception(message);

/// <summary>Data that does not match its schema, or binary input that is truncated or malformed.</summary>
public sealed class AvroDataException(string message) : Exception(message);

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Schema(string message) => throw new AvroSchemaException(message);

    [DoesNotReturn]
    public static T Schema<T>(string message) => throw new AvroSchemaException(message);

    [DoesNotReturn]
    public static void Data(string message) => throw new AvroDataException(message);

    [DoesNotReturn]
    public static T Data<T>(string message) => throw new AvroDataException(message);

    [DoesNotReturn]
    public static void Truncated() => throw new AvroDataException("Avro data ends before the value is complete");

    [DoesNotReturn]
    public static void MalformedVarInt() => throw new AvroDataException("Avro varint is longer than its type allows");
}
