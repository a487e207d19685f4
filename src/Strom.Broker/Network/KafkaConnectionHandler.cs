using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Strom.Broker.Security;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Primitives;

namespace Strom.Broker.Network;

/// <summary>
/// One Kafka connection over Kestrel's pipes (protocol guide, "Network"): each request is
/// <c>int32 size</c> then header and body. Requests are served one at a time and answered in
/// order, as Kafka does; a pipelining client simply finds its next requests already buffered.
/// The size is checked against socket.request.max.bytes before the frame is awaited, so a
/// hostile length prefix never turns into an allocation.
/// </summary>
public sealed partial class KafkaConnectionHandler(KafkaBroker broker, ILogger<KafkaConnectionHandler> logger) : ConnectionHandler
{
    private const int FrameHeaderBytes = 4;
    /// <summary>api key, api version, correlation id: the part every request header version shares.</summary>
    private const int MinRequestBytes = 8;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var listener = connection.Features.Get<ListenerNameFeature>()?.Name ?? "PLAINTEXT";
        // Ends the connection when the client goes or the broker shuts down (Kestrel cannot tell a
        // raw connection handler to stop, and would otherwise wait out its shutdown timeout).
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, broker.ShuttingDown);
        var context = new RequestContext
        {
            ConnectionId = connection.ConnectionId,
            ListenerName = listener,
            LocalEndPoint = connection.LocalEndPoint,
            RemoteEndPoint = connection.RemoteEndPoint,
            ConnectionClosed = lifetime.Token,
            Sasl = broker.NewSaslSession(listener),
        };
        using var response = new PooledBufferWriter(64 * 1024);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var maxRequestBytes = broker.Config.SocketRequestMaxBytes;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(lifetime.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var pendingFlush = false;
                while (context.Sasl is { AwaitingRawToken: true }
                    ? TryGetRawToken(ref buffer, out var frame, out var reject)
                    : TryGetFrame(ref buffer, context.Sasl is { IsAuthenticated: false } ? PreAuthenticationLimit(maxRequestBytes) : maxRequestBytes,
                        context, out frame, out reject))
                {
                    if (reject is not null)
                    {
                        LogRejected(logger, context.RemoteEndPoint?.ToString(), reject);
                        return;
                    }
                    response.Reset();
                    if (context.Sasl is { AwaitingRawToken: true } rawSession)
                    {
                        // KIP-43 v0: the token is the whole frame and the answer is a bare size + token.
                        if (!EvaluateRawToken(rawSession, frame, response, context))
                        {
                            return;
                        }
                        output.Write(response.WrittenSpan);
                        pendingFlush = true;
                        continue;
                    }
                    var serving = ServeAsync(frame, context, response);
                    if (!serving.IsCompleted && pendingFlush)
                    {
                        // This request waits (a long-polling fetch): send the answers before it now.
                        pendingFlush = false;
                        await output.FlushAsync().ConfigureAwait(false);
                    }
                    var outcome = await serving.ConfigureAwait(false);
                    if (outcome == Outcome.Close)
                    {
                        await output.FlushAsync().ConfigureAwait(false);
                        return;
                    }
                    if (outcome == Outcome.Respond)
                    {
                        output.Write(response.WrittenSpan);
                        pendingFlush = true;
                    }
                    if (context.CloseAfterResponse is { } closeReason)
                    {
                        LogRejected(logger, context.RemoteEndPoint?.ToString(), closeReason);
                        await output.FlushAsync().ConfigureAwait(false);
                        return;
                    }
                    response.Trim(1 << 20);
                }
                if (pendingFlush)
                {
                    var flush = await output.FlushAsync().ConfigureAwait(false);
                    if (flush.IsCompleted)
                    {
                        return;
                    }
                }
                if (result.IsCompleted)
                {
                    return;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ConnectionResetException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            broker.OnConnectionClosed(context);
        }
    }

    private enum Outcome
    {
        Respond,
        NoResponse,
        Close,
    }

    /// <summary>
    /// Cuts the next complete frame off the buffer. Returns false when more bytes are needed;
    /// true with a reject reason when the connection must be closed.
    /// </summary>
    private static bool TryGetFrame(ref ReadOnlySequence<byte> buffer, int maxRequestBytes, RequestContext context,
        out ReadOnlySequence<byte> frame, out string? reject)
    {
        reject = null;
        Span<byte> prefix = stackalloc byte[FrameHeaderBytes];
        if (!TrySlice(ref buffer, MinRequestBytes, maxRequestBytes, prefix, out frame, out var badSize))
        {
            return false;
        }
        if (badSize is { } size)
        {
            reject = size > maxRequestBytes
                ? $"request size {size} is larger than {(context.Sasl is { IsAuthenticated: false } ? "sasl.server.max.receive.size before authentication" : "socket.request.max.bytes")} ({maxRequestBytes})"
                : $"request size {size} is too small";
            if (LooksLikeHttpOrTls(prefix))
            {
                reject += " (this looks like HTTP or TLS: the Kafka listener speaks PLAINTEXT Kafka protocol)";
            }
        }
        return true;
    }

    /// <summary>
    /// An int32 size then that many bytes. True when the whole frame is buffered (sliced off the
    /// buffer), or at once when the size is outside [min, max] (then <paramref name="badSize"/> holds
    /// it and nothing waits for the bytes). <paramref name="prefix"/> receives the size's 4 bytes.
    /// </summary>
    private static bool TrySlice(ref ReadOnlySequence<byte> buffer, int minBytes, int maxBytes, Span<byte> prefix,
        out ReadOnlySequence<byte> frame, out int? badSize)
    {
        frame = default;
        badSize = null;
        if (buffer.Length < FrameHeaderBytes)
        {
            return false;
        }
        buffer.Slice(0, FrameHeaderBytes).CopyTo(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < minBytes || size > maxBytes)
        {
            badSize = size;
            return true;
        }
        if (buffer.Length < FrameHeaderBytes + size)
        {
            return false;
        }
        frame = buffer.Slice(FrameHeaderBytes, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>Before authentication a frame may be at most sasl.server.max.receive.size, as in Kafka: strangers cannot make the broker buffer 100 MB.</summary>
    private static int PreAuthenticationLimit(int maxRequestBytes) => Math.Min(maxRequestBytes, SaslSession.MaxReceiveSize);

    /// <summary>A raw SASL token after a v0 handshake: int32 size then bytes, capped at sasl.server.max.receive.size.</summary>
    private static bool TryGetRawToken(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out string? reject)
    {
        reject = null;
        Span<byte> prefix = stackalloc byte[FrameHeaderBytes];
        if (!TrySlice(ref buffer, 0, SaslSession.MaxReceiveSize, prefix, out frame, out var badSize))
        {
            return false;
        }
        if (badSize is { } size)
        {
            reject = $"SASL token size {size} is invalid (at most {SaslSession.MaxReceiveSize})";
        }
        return true;
    }

    /// <summary>Writes the server token framed by its size; false (connection to close) when authentication fails.</summary>
    private bool EvaluateRawToken(SaslSession session, ReadOnlySequence<byte> token, PooledBufferWriter response, RequestContext context)
    {
        byte[] reply;
        try
        {
            reply = session.Evaluate(token.ToArray());
        }
        catch (SaslAuthenticationException ex)
        {
            // v0 has no way to carry an error: Kafka closes the connection, and so does Strom.
            LogRejected(logger, context.RemoteEndPoint?.ToString(), $"{session.Mechanism} authentication failed: {ex.Message}");
            return false;
        }
        var span = response.GetSpan(FrameHeaderBytes + reply.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, reply.Length);
        reply.CopyTo(span[FrameHeaderBytes..]);
        response.Advance(FrameHeaderBytes + reply.Length);
        return true;
    }

    private static bool LooksLikeHttpOrTls(ReadOnlySpan<byte> prefix) =>
        prefix[0] == 0x16 || (prefix[0] >= (byte)'A' && prefix[0] <= (byte)'Z' && prefix[1] >= (byte)'A' && prefix[1] <= (byte)'Z');

    private async ValueTask<Outcome> ServeAsync(ReadOnlySequence<byte> frame, RequestContext context, PooledBufferWriter response)
    {
        Span<byte> fixedHeader = stackalloc byte[MinRequestBytes];
        frame.Slice(0, MinRequestBytes).CopyTo(fixedHeader);
        var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(fixedHeader);
        var version = BinaryPrimitives.ReadInt16BigEndian(fixedHeader[2..]);
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(fixedHeader[4..]);
        context.ApiKey = apiKey;
        context.ApiVersion = version;
        context.CorrelationId = correlationId;

        var supported = broker.Dispatcher.SupportedVersions(apiKey);
        if (supported is null)
        {
            LogRejected(logger, context.RemoteEndPoint?.ToString(), $"unknown or unsupported API key {(short)apiKey}");
            return Outcome.Close;
        }
        if (version < supported.Value.Min || version > supported.Value.Max)
        {
            if (apiKey == ApiKey.ApiVersions)
            {
                // KIP-511: answer an ApiVersions we cannot parse in v0 format, so the client learns our range.
                WriteResponse(response, correlationId, 0, broker.Dispatcher.UnsupportedApiVersionsResponse(), 0);
                return Outcome.Respond;
            }
            LogRejected(logger, context.RemoteEndPoint?.ToString(), $"unsupported version {version} of {apiKey}");
            return Outcome.Close;
        }

        if (context.Sasl is { IsAuthenticated: false } && apiKey is not (ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate))
        {
            // As Kafka: anything else before authentication means the client is not speaking SASL.
            LogRejected(logger, context.RemoteEndPoint?.ToString(), $"{apiKey} before SASL authentication on listener {context.ListenerName}");
            return Outcome.Close;
        }

        IRequestMessage request;
        try
        {
            // Produced records are copied into pooled arrays that live until this request is answered.
            using (RecordsBuffers.Rent(context.RentedRecords))
            {
                request = ParseRequest(frame, apiKey, version, context);
            }
        }
        catch (ProtocolException ex)
        {
            RecordsBuffers.Return(context.RentedRecords);
            LogRejected(logger, context.RemoteEndPoint?.ToString(), $"malformed {apiKey} v{version}: {ex.Message}");
            return Outcome.Close;
        }

        try
        {
            IResponseMessage? reply;
            try
            {
                reply = await broker.Dispatcher.DispatchAsync(context, request).ConfigureAwait(false);
            }
            catch (ProtocolException ex)
            {
                LogRejected(logger, context.RemoteEndPoint?.ToString(), $"invalid {apiKey} v{version}: {ex.Message}");
                return Outcome.Close;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandlerFailed(logger, ex, apiKey.ToString(), version);
                return Outcome.Close;
            }
            if (reply is null)
            {
                return Outcome.NoResponse;
            }
            WriteResponse(response, correlationId, ApiMessages.ResponseHeaderVersion(apiKey, version), reply, version);
            return Outcome.Respond;
        }
        finally
        {
            ReleaseResources(context);
        }
    }

    private static void ReleaseResources(RequestContext context)
    {
        if (context.RentedRecords.Count > 0)
        {
            RecordsBuffers.Return(context.RentedRecords);
        }
        if (context.ResponseResources is { Count: > 0 } resources)
        {
            foreach (var resource in resources)
            {
                resource.Dispose();
            }
            resources.Clear();
        }
    }

    private static IRequestMessage ParseRequest(ReadOnlySequence<byte> frame, ApiKey apiKey, short version, RequestContext context)
    {
        var reader = new SequenceReader<byte>(frame);
        var headerVersion = ApiMessages.RequestHeaderVersion(apiKey, version);
        if (!RequestHeader.TryRead(ref reader, headerVersion, out var header))
        {
            throw new ProtocolException(ErrorCode.InvalidRequest, "truncated request header");
        }
        context.ClientId = header.ClientId;
        var request = ApiMessages.ReadRequest(apiKey, version, ref reader);
        if (request is null)
        {
            throw new ProtocolException(ErrorCode.InvalidRequest, $"truncated {apiKey} request");
        }
        return request;
    }

    private static void WriteResponse(PooledBufferWriter buffer, int correlationId, short headerVersion, IResponseMessage body, short version)
    {
        buffer.Advance(FrameHeaderBytes);
        new ResponseHeader { CorrelationId = correlationId }.Write(buffer, headerVersion);
        body.Write(buffer, version);
        BinaryPrimitives.WriteInt32BigEndian(buffer.WrittenSpan, buffer.WrittenCount - FrameHeaderBytes);
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Handling {ApiKey} v{Version} failed; closing the connection")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string apiKey, short version);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Closing connection from {Remote}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string? remote, string reason);
}

/// <summary>Tags a Kestrel connection with the Kafka listener name it arrived on.</summary>
public sealed record ListenerNameFeature(string Name);
