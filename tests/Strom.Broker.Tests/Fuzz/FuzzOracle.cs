using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Fuzz;

/// <summary>
/// Sends mutants to a broker and judges each answer. A mutant passes when, in time, the broker
/// either closes the connection or answers with the mutant's correlation id and a body that the
/// generated response type reads completely; and when it logged nothing at Error level and made the
/// process allocate less than <see cref="PerRequestAllocationCap"/> meanwhile. Failures are
/// collected with everything needed to replay them, not thrown, so one run reports them all.
/// </summary>
internal sealed class FuzzOracle(StromBroker broker, IReadOnlyDictionary<ApiKey, (short Min, short Max)> advertised, long perRequestAllocationCap)
    : IAsyncDisposable
{
    /// <summary>Bounds a hang; a healthy broker answers in milliseconds, this is for a loaded machine.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A request that may legitimately wait longer than this (a Fetch's max_wait) is not judged for hangs.</summary>
    private const int LongestJudgedWaitMs = 20_000;

    private KafkaTestConnection? _connection;

    public long PerRequestAllocationCap { get; } = perRequestAllocationCap;
    public List<string> Failures { get; } = [];
    public int Sent { get; private set; }
    public int Answered { get; private set; }
    public int Closed { get; private set; }
    public int LongWaitsSkipped { get; private set; }

    /// <summary>Sends one frame (its size prefix from <paramref name="declaredSize"/> when given) and judges the outcome.</summary>
    public async Task CheckAsync(Mutant mutant, string replay, int? declaredSize = null)
    {
        Sent++;
        var connection = _connection ??= await KafkaTestConnection.ConnectAsync(broker.Port);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var problem = await SendAndJudgeAsync(connection, mutant.Payload, declaredSize);
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        if (problem is null && allocated > PerRequestAllocationCap)
        {
            problem = $"the process allocated {allocated:N0} bytes while serving it (cap {PerRequestAllocationCap:N0})";
        }
        var errors = broker.Logs.Errors;
        if (errors.Count > 0)
        {
            broker.Logs.Clear();
            problem = (problem is null ? "" : problem + "; ") + "the broker logged: " + string.Join(Environment.NewLine, errors);
        }
        if (problem is not null)
        {
            Failures.Add($"{replay} [{mutant.Kind}]: {problem}{Environment.NewLine}    payload ({mutant.Payload.Length} bytes): {Hex(mutant.Payload)}");
            await DropConnectionAsync();
        }
    }

    private async Task<string?> SendAndJudgeAsync(KafkaTestConnection connection, byte[] payload, int? declaredSize)
    {
        try
        {
            if (declaredSize is { } size)
            {
                var frame = new byte[4 + payload.Length];
                BinaryPrimitives.WriteInt32BigEndian(frame, size);
                payload.CopyTo(frame, 4);
                await connection.SendBytesAsync(frame);
            }
            else
            {
                await connection.WriteFrameAsync(payload);
            }
        }
        catch (IOException)
        {
            // Closed while we wrote: the broker refused an earlier part of the stream.
            Closed++;
            await DropConnectionAsync();
            return null;
        }

        var wait = AnswerTimeout + TimeSpan.FromMilliseconds(Math.Max(0, LegitimateWaitMs(payload)));
        byte[]? reply;
        using (var cts = new CancellationTokenSource(wait))
        {
            try
            {
                reply = await connection.ReadFrameAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                await DropConnectionAsync();
                if (LegitimateWaitMs(payload) > LongestJudgedWaitMs)
                {
                    LongWaitsSkipped++;
                    return null;
                }
                return $"no answer and no close within {wait.TotalSeconds:0.#} s (hang)";
            }
            catch (IOException ex)
            {
                await DropConnectionAsync();
                return $"unreadable answer: {ex.Message}";
            }
        }
        if (reply is null)
        {
            Closed++;
            await DropConnectionAsync();
            return null;
        }
        Answered++;
        return JudgeAnswer(payload, declaredSize, reply);
    }

    private string? JudgeAnswer(byte[] payload, int? declaredSize, byte[] reply)
    {
        if (declaredSize is { } size && size != payload.Length)
        {
            return $"answered a frame whose declared size {size} is not what was sent ({payload.Length})";
        }
        if (payload.Length < 8)
        {
            return "answered a request too short to hold a header";
        }
        var key = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(payload);
        var version = BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(2));
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
        if (reply.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(reply) != correlationId)
        {
            return $"answer without correlation id {correlationId}";
        }
        var supported = advertised.TryGetValue(key, out var range) && version >= range.Min && version <= range.Max;
        if (!supported && key != ApiKey.ApiVersions)
        {
            return $"answered {key} v{version}, which is not advertised";
        }
        var bodyVersion = supported ? version : (short)0; // KIP-511: an unknown ApiVersions version gets a v0 answer
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(reply));
        try
        {
            if (!ResponseHeader.TryRead(ref reader, ApiMessages.ResponseHeaderVersion(key, bodyVersion), out _))
            {
                return "truncated response header";
            }
            if (ApiMessages.ReadResponse(key, bodyVersion, ref reader) is null)
            {
                return $"{key} v{bodyVersion} response is truncated";
            }
        }
        catch (ProtocolException ex)
        {
            return $"{key} v{bodyVersion} response does not parse: {ex.Message}";
        }
        return reader.Remaining == 0 ? null : $"{key} v{bodyVersion} response has {reader.Remaining} bytes past its end";
    }

    /// <summary>How long the request may make the broker wait on purpose (a Fetch's max_wait, a JoinGroup's rebalance).</summary>
    private static long LegitimateWaitMs(byte[] payload)
    {
        if (payload.Length < 8)
        {
            return 0;
        }
        var key = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(payload);
        var version = BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(2));
        if (key is not (ApiKey.Fetch or ApiKey.JoinGroup) || !ApiMessages.IsSupported(key, version))
        {
            return 0;
        }
        try
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(payload));
            if (!RequestHeader.TryRead(ref reader, ApiMessages.RequestHeaderVersion(key, version), out _))
            {
                return 0;
            }
            return ApiMessages.ReadRequest(key, version, ref reader) switch
            {
                FetchRequest fetch => fetch.MaxWaitMs,
                JoinGroupRequest join => Math.Max((long)join.RebalanceTimeoutMs, join.SessionTimeoutMs),
                _ => 0,
            };
        }
        catch (ProtocolException)
        {
            return 0;
        }
    }

    public async Task DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(DropConnectionAsync());

    private static string Hex(byte[] payload) =>
        Convert.ToHexString(payload, 0, Math.Min(payload.Length, 512)) + (payload.Length > 512 ? "..." : "");
}
