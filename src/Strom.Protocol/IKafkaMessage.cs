using System.Buffers;

namespace Strom.Protocol;

/// <summary>A generated protocol message or record schema that can write itself at a version.</summary>
public interface IKafkaMessage
{
    void Write(IBufferWriter<byte> writer, short version);
}

/// <summary>A request body (the part after the request header).</summary>
public interface IRequestMessage : IKafkaMessage
{
    ApiKey ApiKey { get; }
}

/// <summary>A response body (the part after the response header).</summary>
public interface IResponseMessage : IKafkaMessage
{
}

/// <summary>
/// A tagged field this code does not know (protocol guide, "tagged fields", KIP-482): kept as
/// raw bytes so it survives a read and write-back unchanged.
/// </summary>
public readonly record struct RawTaggedField(uint Tag, byte[] Data);
