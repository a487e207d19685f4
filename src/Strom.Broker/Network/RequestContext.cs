using System.Net;
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

    /// <summary>Buffers the response still refers to (fetched log bytes); released once it is written.</summary>
    public List<IDisposable>? ResponseResources { get; set; }

    /// <summary>Pooled arrays holding the current request's records; returned once it is answered.</summary>
    public List<byte[]> RentedRecords { get; } = [];
}
