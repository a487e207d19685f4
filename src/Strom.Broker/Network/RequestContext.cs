using System.Net;
using Strom.Broker.Security;
using Strom.Protocol;

namespace Strom.Broker.Network;

/// <summary>What a handler knows about the request it serves beyond the message itself.</summary>
public sealed class RequestContext
{
    public required string ConnectionId { get; init; }
    public required string ListenerName { get; init; }
    public EndPoint? LocalEndPoint { get; init; }
    public EndPoint? RemoteEndPoint { get; init; }
    public ApiKey ApiKey { get; set; }
    public short ApiVersion { get; set; }
    public int CorrelationId { get; set; }
    public string? ClientId { get; set; }
    public CancellationToken ConnectionClosed { get; init; }

    /// <summary>The connection's SASL state; null on a listener without SASL.</summary>
    public SaslSession? Sasl { get; init; }

    /// <summary>Set by a handler whose answer must be the connection's last (failed authentication): the reason.</summary>
    public string? CloseAfterResponse { get; set; }

    /// <summary>Buffers the response still refers to (fetched log bytes); released once it is written.</summary>
    public List<IDisposable>? ResponseResources { get; set; }

    /// <summary>Pooled arrays holding the current request's records; returned once it is answered.</summary>
    public List<byte[]> RentedRecords { get; } = [];
}
