using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Strom.Protocol.Records;

namespace Strom.Client.Serialization;

/// <summary>Whether the bytes are a record's key or value: the Schema Registry serdes pick a subject by it.</summary>
public enum MessageComponent
{
    Key,
    Value,
}

/// <summary>What a serializer may want to know besides the value.</summary>
public readonly record struct SerializationContext(string Topic, MessageComponent Component, IReadOnlyList<RecordHeader>? Headers = null);

/// <summary>Turns a value into record bytes; null means a null key or value.</summary>
public interface ISerializer<in T>
{
    byte[]? Serialize(T value, SerializationContext context);
}

/// <summary>Turns record bytes back into a value; <paramref name="isNull"/> marks a null key or value.</summary>
public interface IDeserializer<out T>
{
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);
}

/// <summary>
/// The standard serdes, byte-compatible with Kafka's Java ones: UTF-8 strings, raw bytes,
/// big-endian 32- and 64-bit integers, and JSON via System.Text.Json (pass a JsonTypeInfo for
/// source-generated, reflection-free serialization).
/// </summary>
public static class Serializers
{
    public static ISerializer<string?> Utf8 { get; } = new Utf8Serde();
    public static ISerializer<byte[]?> ByteArray { get; } = new BytesSerde();
    public static ISerializer<int> Int32 { get; } = new Int32Serde();
    public static ISerializer<long> Int64 { get; } = new Int64Serde();

    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonSerde<T>(options, null);

    public static ISerializer<T> Json<T>(JsonTypeInfo<T> typeInfo) => new JsonSerde<T>(null, typeInfo);

    internal sealed class Utf8Serde : ISerializer<string?>, IDeserializer<string?>
    {
        public byte[]? Serialize(string? value, SerializationContext context) => value is null ? null : Encoding.UTF8.GetBytes(value);

        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : Encoding.UTF8.GetString(data);
    }

    internal sealed class BytesSerde : ISerializer<byte[]?>, IDeserializer<byte[]?>
    {
        public byte[]? Serialize(byte[]? value, SerializationContext context) => value;

        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : data.ToArray();
    }

    internal sealed class Int32Serde : ISerializer<int>, IDeserializer<int>
    {
        public byte[]? Serialize(int value, SerializationContext context)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
            return bytes;
        }

        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            !isNull && data.Length == 4 ? BinaryPrimitives.ReadInt32BigEndian(data)
                : throw new FormatException($"an int32 needs exactly 4 bytes, got {(isNull ? "null" : data.Length.ToString())}");
    }

    internal sealed class Int64Serde : ISerializer<long>, IDeserializer<long>
    {
        public byte[]? Serialize(long value, SerializationContext context)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(bytes, value);
            return bytes;
        }

        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            !isNull && data.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(data)
                : throw new FormatException($"an int64 needs exactly 8 bytes, got {(isNull ? "null" : data.Length.ToString())}");
    }

    internal sealed class JsonSerde<T>(JsonSerializerOptions? options, JsonTypeInfo<T>? typeInfo) : ISerializer<T>, IDeserializer<T>
    {
        public byte[]? Serialize(T value, SerializationContext context) =>
            value is null ? null
                : typeInfo is not null ? JsonSerializer.SerializeToUtf8Bytes(value, typeInfo)
                : SerializeWithOptions(value);

        public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? default!
                : typeInfo is not null ? JsonSerializer.Deserialize(data, typeInfo)!
                : DeserializeWithOptions(data);

        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Callers that trim pass a JsonTypeInfo.")]
        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Callers that trim pass a JsonTypeInfo.")]
        private byte[] SerializeWithOptions(T value) => JsonSerializer.SerializeToUtf8Bytes(value, options);

        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Callers that trim pass a JsonTypeInfo.")]
        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Callers that trim pass a JsonTypeInfo.")]
        private T DeserializeWithOptions(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize<T>(data, options)!;
    }
}

/// <summary>The deserializers matching <see cref="Serializers"/>.</summary>
public static class Deserializers
{
    public static IDeserializer<string?> Utf8 { get; } = new Serializers.Utf8Serde();
    public static IDeserializer<byte[]?> ByteArray { get; } = new Serializers.BytesSerde();
    public static IDeserializer<int> Int32 { get; } = new Serializers.Int32Serde();
    public static IDeserializer<long> Int64 { get; } = new Serializers.Int64Serde();

    public static IDeserializer<T> Json<T>(JsonSerializerOptions? options = null) => new Serializers.JsonSerde<T>(options, null);

    public static IDeserializer<T> Json<T>(JsonTypeInfo<T> typeInfo) => new Serializers.JsonSerde<T>(null, typeInfo);
}
