using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

using Strom.Protocol.Primitives;

namespace Strom.Client.Network;

/// <summary>
/// One TCP connection to one broker. Requests are pipelined: each gets a correlation id and a
/// pending entry, is framed (protocol guide, "Requests and Responses": int32 size, request
/// header, body) and written under a lock; one reader loop matches responses to pending entries
/// by correlation id (a broker answers in order, but the id is what the protocol promises).
/// ApiVersions is negotiated on connect, inside TLS for SSL listeners and before the SASL
/// login for SASL ones (<see cref="TlsConnector"/>, <see cref="SaslAuthenticator"/>). A failed read or a request timeout closes the
/// connection and fails everything pending with NETWORK_EXCEPTION or REQUEST_TIMED_OUT, as
/// Kafka's clients do; the owner then connects again.
/// </summary>
public sealed class KafkaConnection : IAsyncDisposable
{
    /// <summary>Largest response frame accepted before the size prefix is trusted (default: 512 MiB).</summary>
    public const int MaxResponseSize = 512 * 1024 * 1024;

    private const string SoftwareName = "strom-client";
    private const string SoftwareVersion = "0.1.0";

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, Pending> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly string _clientId;
    private readonly TimeSpan _requestTimeout;
    private Task _readLoop = Task.CompletedTask;
    private int _nextCorrelationId;
    private Exception? _failure;

    private KafkaConnection(Socket socket, Stream stream, string endpoint, string clientId, TimeSpan requestTimeout)
    {
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(minimumReadSize: 64 * 1024));
        Endpoint = endpoint;
        _clientId = clientId;
        _requestTimeout = requestTimeout;
    }

    public string Endpoint { get; }

    /// <summary>The versions negotiated with this broker at connect.</summary>
    public ApiVersionTable Versions { get; private set; } = new([]);

    public bool IsOpen => !_closed.IsCancellationRequested;

    /// <summary>
    /// Connects, starts TLS if <paramref name="security"/> asks for it, starts the reader loop,
    /// negotiates API versions and logs in with SASL if asked. TLS and SASL refusals throw
    /// <see cref="KafkaAuthenticationException"/>.
    /// </summary>
    public static async Task<KafkaConnection> ConnectAsync(string host, int port, string clientId,
        TimeSpan connectTimeout, TimeSpan requestTimeout, CancellationToken cancellationToken, SecurityOptions? security = null)
    {
        security ??= new SecurityOptions();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                socket.Dispose();
                ClientThrow.Network($"cannot connect to {host}:{port}: {(ex is SocketException se ? se.SocketErrorCode.ToString() : "timed out")}", ex);
            }
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (security.UsesTls)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            try
            {
                stream = await TlsConnector.AuthenticateAsync(stream, host, security, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                ClientThrow.Network($"TLS handshake with {host}:{port} timed out", ex);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        var connection = new KafkaConnection(socket, stream, $"{host}:{port}", clientId, requestTimeout);
        connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
        try
        {
            await connection.NegotiateAsync(cancellationToken).ConfigureAwait(false);
            if (security.UsesSasl)
            {
                await SaslAuthenticator.AuthenticateAsync(connection, security, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return connection;
    }

    /// <summary>
    /// KIP-511: ask with our highest ApiVersions version; a broker that does not know it answers
    /// in v0 with UNSUPPORTED_VERSION and its own range, and we ask again within that range.
    /// </summary>
    private async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        var version = ApiVersionsRequest.HighestVersion;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var request = new ApiVersionsRequest { ClientSoftwareName = SoftwareName, ClientSoftwareVersion = SoftwareVersion };
            var response = (ApiVersionsResponse)await SendAsync(request, version, cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode == (short)ErrorCode.UnsupportedVersion && attempt == 0)
            {
                var range = response.ApiKeys.FirstOrDefault(k => k.ApiKey == (short)ApiKey.ApiVersions);
                version = range is null ? (short)0 : Math.Min(range.MaxVersion, ApiVersionsRequest.HighestVersion);
                continue;
            }
            ClientThrow.IfError(response.ErrorCode, null, $"ApiVersions from {Endpoint}");
            Versions = new ApiVersionTable(response.ApiKeys);
            return;
        }
        ClientThrow.Error(ErrorCode.UnsupportedVersion, null, $"ApiVersions from {Endpoint}");
    }

    /// <summary>Sends at the negotiated version and returns the typed response.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IRequestMessage request, CancellationToken cancellationToken = default)
        where TResponse : class, IResponseMessage =>
        (TResponse)await SendAsync(request, Versions.Pick(request.ApiKey), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends at the negotiated version, waiting up to <paramref name="timeout"/> instead of the
    /// connection's request timeout: JoinGroup and SyncGroup may be held for a whole rebalance.
    /// </summary>
    public async Task<TResponse> SendAsync<TResponse>(IRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TResponse : class, IResponseMessage =>
        (TResponse)await SendAsync(request, Versions.Pick(request.ApiKey), timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends a request the broker will not answer (Produce with acks=0).</summary>
    public async Task SendWithoutResponseAsync(IRequestMessage request, CancellationToken cancellationToken = default)
    {
        var version = Versions.Pick(request.ApiKey);
        var frame = Frame(request, version, Interlocked.Increment(ref _nextCorrelationId));
        await WriteFrameAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends at an explicit version.</summary>
    public Task<IResponseMessage> SendAsync(IRequestMessage request, short version, CancellationToken cancellationToken = default) =>
        SendAsync(request, version, _requestTimeout, cancellationToken);

    private async Task<IResponseMessage> SendAsync(IRequestMessage request, short version, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        var correlationId = Interlocked.Increment(ref _nextCorrelationId);
        var pending = new Pending(request.ApiKey, version);
        _pending[correlationId] = pending;
        var frame = Frame(request, version, correlationId);
        try
        {
            await WriteFrameAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending.TryRemove(correlationId, out _);
            throw;
        }
        var task = pending.Completion.Task;
        var timeout = Task.Delay(requestTimeout, cancellationToken);
        if (await Task.WhenAny(task, timeout).ConfigureAwait(false) != task)
        {
            _pending.TryRemove(correlationId, out _);
            cancellationToken.ThrowIfCancellationRequested();
            // A response may still come; Kafka's clients drop the connection rather than guess.
            Fail(new KafkaException(ErrorCode.RequestTimedOut, $"{request.ApiKey} to {Endpoint} timed out after {requestTimeout.TotalMilliseconds:0} ms"));
        }
        return await task.ConfigureAwait(false);
    }

    private PooledBufferWriter Frame(IRequestMessage request, short version, int correlationId)
    {
        var writer = new PooledBufferWriter(SizeHint(request));
        try
        {
            writer.Advance(4);
            var header = new RequestHeader
            {
                RequestApiKey = (short)request.ApiKey,
                RequestApiVersion = version,
                CorrelationId = correlationId,
                ClientId = _clientId,
            };
            header.Write(writer, ApiMessages.RequestHeaderVersion(request.ApiKey, version));
            request.Write(writer, version);
            BinaryPrimitives.WriteInt32BigEndian(writer.WrittenMemory.Span, writer.WrittenCount - 4);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Produce requests are mostly their record batches: size the frame for them up front.</summary>
    private static int SizeHint(IRequestMessage request)
    {
        if (request is not ProduceRequest produce)
        {
            return 512;
        }
        long size = 512;
        foreach (var topic in produce.TopicData)
        {
            size += 64 + topic.Name.Length;
            foreach (var partition in topic.PartitionData)
            {
                size += 32 + (partition.Records?.Length ?? 0);
            }
        }
        return (int)Math.Min(size, MaxResponseSize);
    }

    private async Task WriteFrameAsync(PooledBufferWriter frame, CancellationToken cancellationToken)
    {
        using var owned = frame;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            await _stream.WriteAsync(frame.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Fail(new KafkaException(ErrorCode.NetworkException, $"write to {Endpoint} failed: {ex.Message}", ex));
            throw _failure!;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadFrame(ref buffer, out var frame))
                {
                    Dispatch(frame);
                }
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Fail(new KafkaException(ErrorCode.NetworkException, $"{Endpoint} closed the connection"));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            Fail(ex as KafkaException ?? new KafkaException(ErrorCode.NetworkException, $"read from {Endpoint} failed: {ex.Message}", ex));
        }
    }

    /// <summary>One size-prefixed frame; the size is checked against the cap before waiting for the body.</summary>
    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < 4 || size > MaxResponseSize)
        {
            throw new KafkaException(ErrorCode.CorruptMessage, $"response frame of {size} bytes");
        }
        if (buffer.Length < 4L + size)
        {
            return false;
        }
        frame = buffer.Slice(4, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    private void Dispatch(ReadOnlySequence<byte> frame)
    {
        var reader = new SequenceReader<byte>(frame);
        reader.TryReadBigEndian(out int correlationId);
        if (!_pending.TryRemove(correlationId, out var pending))
        {
            return; // answer to a request that timed out or was abandoned
        }
        try
        {
            reader = new SequenceReader<byte>(frame);
            if (!ResponseHeader.TryRead(ref reader, ApiMessages.ResponseHeaderVersion(pending.Key, pending.Version), out _))
            {
                throw new KafkaException(ErrorCode.CorruptMessage, $"truncated {pending.Key} response header");
            }
            var version = pending.Version;
            if (pending.Key == ApiKey.ApiVersions && version > 0 && reader.TryReadBigEndian(out short errorCode))
            {
                // KIP-511: an unsupported ApiVersions version is answered in v0 format.
                reader.Rewind(2);
                if (errorCode == (short)ErrorCode.UnsupportedVersion)
                {
                    version = 0;
                }
            }
            var response = ApiMessages.ReadResponse(pending.Key, version, ref reader)
                ?? throw new KafkaException(ErrorCode.CorruptMessage, $"truncated {pending.Key} v{version} response");
            pending.Completion.TrySetResult(response);
        }
        catch (Exception ex)
        {
            pending.Completion.TrySetException(ex is KafkaException ? ex
                : new KafkaException(ErrorCode.CorruptMessage, $"malformed {pending.Key} response from {Endpoint}: {ex.Message}", ex));
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed.IsCancellationRequested)
        {
            throw _failure as KafkaException ?? new KafkaException(ErrorCode.NetworkException, $"connection to {Endpoint} is closed");
        }
    }

    private void Fail(Exception reason)
    {
        lock (_pending)
        {
            _failure ??= reason;
        }
        if (!_closed.IsCancellationRequested)
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            _socket.Dispose();
        }
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Completion.TrySetException(_failure!);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new KafkaException(ErrorCode.NetworkException, $"connection to {Endpoint} was closed by the client"));
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        _closed.Dispose();
    }

    private sealed class Pending(ApiKey key, short version)
    {
        public ApiKey Key { get; } = key;
        public short Version { get; } = version;
        public TaskCompletionSource<IResponseMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
