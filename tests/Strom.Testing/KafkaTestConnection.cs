using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Testing;

/// <summary>
/// A bare Kafka protocol connection for tests: sends one generated request at a chosen version
/// and reads its response. Also sends raw bytes, for tests of malformed input.
/// </summary>
public sealed class KafkaTestConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private int _correlationId;

    private KafkaTestConnection(TcpClient client, Stream? stream = null)
    {
        _client = client;
        _stream = stream ?? client.GetStream();
    }

    /// <summary>Connects over TLS, trusting only <paramref name="ca"/>; optionally presents a client certificate.</summary>
    public static async Task<KafkaTestConnection> ConnectTlsAsync(int port, X509Certificate2 ca, X509Certificate2? clientCertificate = null,
        CancellationToken cancellationToken = default)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return new KafkaTestConnection(client, tls);
    }

    public static async Task<KafkaTestConnection> ConnectAsync(int port, CancellationToken cancellationToken = default)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
        return new KafkaTestConnection(client);
    }

    public string ClientId { get; set; } = "strom-test";

    /// <summary>Sends a request and returns the raw response body (after the response header).</summary>
    public async Task<byte[]> SendRawRequestAsync(IRequestMessage request, short version, CancellationToken cancellationToken = default)
    {
        var correlationId = await WriteRequestAsync(request, version, cancellationToken).ConfigureAwait(false);
        return await ReadResponseBodyAsync(request.ApiKey, version, correlationId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Frames a request with its header and writes it without waiting for the answer; returns its correlation id.</summary>
    public async Task<int> WriteRequestAsync(IRequestMessage request, short version, CancellationToken cancellationToken = default)
    {
        var correlationId = ++_correlationId;
        var body = new ArrayBufferWriter<byte>();
        var header = new RequestHeader
        {
            RequestApiKey = (short)request.ApiKey,
            RequestApiVersion = version,
            CorrelationId = correlationId,
            ClientId = ClientId,
        };
        header.Write(body, ApiMessages.RequestHeaderVersion(request.ApiKey, version));
        request.Write(body, version);
        await WriteFrameAsync(body.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return correlationId;
    }

    /// <summary>Reads the next response frame, checks its correlation id, returns the body.</summary>
    public async Task<byte[]> ReadResponseBodyAsync(ApiKey apiKey, short version, int expectedCorrelationId, CancellationToken cancellationToken = default)
    {
        var frame = await ReadFrameAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("connection closed before the response");
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(frame));
        if (!ResponseHeader.TryRead(ref reader, ApiMessages.ResponseHeaderVersion(apiKey, version), out var responseHeader))
        {
            throw new IOException("truncated response header");
        }
        if (responseHeader.CorrelationId != expectedCorrelationId)
        {
            throw new IOException($"correlation id {responseHeader.CorrelationId}, expected {expectedCorrelationId}");
        }
        return frame[(int)reader.Consumed..];
    }

    /// <summary>Sends a request and parses its response at the same version.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IRequestMessage request, short version, CancellationToken cancellationToken = default)
        where TResponse : class, IResponseMessage
    {
        var body = await SendRawRequestAsync(request, version, cancellationToken).ConfigureAwait(false);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(body));
        var response = ApiMessages.ReadResponse(request.ApiKey, version, ref reader)
            ?? throw new IOException($"truncated {request.ApiKey} response");
        return (TResponse)response;
    }

    /// <summary>Writes bytes as they are (no framing).</summary>
    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a 4-byte length then the payload.</summary>
    public async Task WriteFrameAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsMemory(4));
        await SendBytesAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one length-prefixed frame; null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        var prefix = new byte[4];
        if (!await ReadExactlyOrEndAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < 0 || size > 256 * 1024 * 1024)
        {
            throw new IOException($"response size {size}");
        }
        var frame = new byte[size];
        return await ReadExactlyOrEndAsync(frame, cancellationToken).ConfigureAwait(false) ? frame : null;
    }

    /// <summary>True when the broker has closed the connection (reads end of stream) within the timeout.</summary>
    public async Task<bool> IsClosedByPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
