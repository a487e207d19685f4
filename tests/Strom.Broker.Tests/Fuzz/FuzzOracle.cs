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

    /// <summary>
    /// The longest legitimate wait (a Fetch's max_wait) that is waited out; a request that may wait
    /// longer than <see cref="AnswerTimeout"/> and is not answered in time is counted, not judged.
    /// </summary>
    private const int LongestJudgedWaitMs = 5_000;

    /// <summary>Requests that may wait longer than this on purpose are judged later, off the main connection.</summary>
    private const int ParkAfterMs = 500;

    private readonly List<(Task<string?> Judging, string Replay, string Hex)> _parked = [];
    private KafkaTestConnection? _connection;
    private int _answered;
    private int _followUpCorrelationId = 1_000_000_000;
    private int _closed;

    public long PerRequestAllocationCap { get; } = perRequestAllocationCap;
    public List<string> Failures { get; } = [];
    public int Sent { get; private set; }
    public int Answered => _answered;
    public int Closed => _closed;
    public int LongWaitsSkipped { get; private set; }

    /// <summary>Mutants that took over a second to judge: printed, to keep an eye on the run time.</summary>
    public List<string> Slow { get; } = [];

    /// <summary>Per kind of mutation (its first word): how many were sent and answered rather than closed.</summary>
    public string Coverage => string.Join(", ", _answersByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value.Answered}/{k.Value.Sent}"));

    private readonly Dictionary<string, (int Sent, int Answered)> _answersByKind = new(StringComparer.Ordinal);

    /// <summary>Sends one frame (its size prefix from <paramref name="declaredSize"/> when given) and judges the outcome.</summary>
    public async Task CheckAsync(Mutant mutant, string replay, int? declaredSize = null)
    {
        Sent++;
        var connection = _connection ??= await KafkaTestConnection.ConnectAsync(broker.Port);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var answeredBefore = _answered;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var problem = await SendAndJudgeAsync(connection, mutant.Payload, declaredSize, replay);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (elapsed > TimeSpan.FromSeconds(1))
        {
            Slow.Add($"{replay} [{mutant.Kind}]: {elapsed.TotalSeconds:0.0} s");
        }
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
        var kind = mutant.Kind.Split(' ')[0];
        _answersByKind[kind] = (_answersByKind.GetValueOrDefault(kind).Sent + 1, _answersByKind.GetValueOrDefault(kind).Answered + (_answered - answeredBefore));
        if (problem is not null)
        {
            Failures.Add($"{replay} [{mutant.Kind}]: {problem}{Environment.NewLine}    payload ({mutant.Payload.Length} bytes): {Hex(mutant.Payload)}");
            await DropConnectionAsync();
        }
    }

    private async Task<string?> SendAndJudgeAsync(KafkaTestConnection connection, byte[] payload, int? declaredSize, string replay)
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
            Interlocked.Increment(ref _closed);
            await DropConnectionAsync();
            return null;
        }

        var parsed = ParseLikeTheBroker(payload);
        if (parsed is ProduceRequest { Acks: 0 })
        {
            // No answer is the right answer: the next request on the connection must be answered (or the connection closed).
            payload = FollowUpApiVersions(ref _followUpCorrelationId);
            declaredSize = null;
            await connection.WriteFrameAsync(payload);
        }
        var legitimateWaitMs = LegitimateWaitMs(parsed);
        if (legitimateWaitMs > LongestJudgedWaitMs)
        {
            LongWaitsSkipped++;
            await DropConnectionAsync();
            return null;
        }
        var wait = AnswerTimeout + TimeSpan.FromMilliseconds(Math.Max(0, legitimateWaitMs));
        if (legitimateWaitMs > ParkAfterMs)
        {
            // A long poll on purpose: judged at the end of the batch, on its own connection.
            _connection = null;
            _parked.Add((ParkAsync(connection, payload, declaredSize, wait), replay, Hex(payload)));
            return null;
        }
        var (problem, open) = await JudgeAnswerWithinAsync(connection, payload, declaredSize, wait);
        if (problem is not null || !open)
        {
            await DropConnectionAsync();
        }
        return problem;
    }

    /// <summary>Waits for the requests left waiting on purpose, and records those that never came back.</summary>
    public async Task ResolveParkedAsync()
    {
        foreach (var (judging, replay, hex) in _parked)
        {
            if (await judging is { } problem)
            {
                Failures.Add($"{replay} [long poll]: {problem}{Environment.NewLine}    payload: {hex}");
            }
        }
        _parked.Clear();
    }

    private async Task<string?> ParkAsync(KafkaTestConnection connection, byte[] payload, int? declaredSize, TimeSpan wait)
    {
        await using (connection)
        {
            return (await JudgeAnswerWithinAsync(connection, payload, declaredSize, wait)).Problem;
        }
    }

    /// <summary>Reads the answer within <paramref name="wait"/> and judges it; Open is false when the connection is done.</summary>
    private async Task<(string? Problem, bool Open)> JudgeAnswerWithinAsync(KafkaTestConnection connection, byte[] payload, int? declaredSize, TimeSpan wait)
    {
        byte[]? reply;
        using (var cts = new CancellationTokenSource(wait))
        {
            try
            {
                reply = await connection.ReadFrameAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return ($"no answer and no close within {wait.TotalSeconds:0.#} s (hang)", false);
            }
            catch (IOException ex)
            {
                return ($"unreadable answer: {ex.Message}", false);
            }
        }
        if (reply is null)
        {
            Interlocked.Increment(ref _closed);
            return (null, false);
        }
        Interlocked.Increment(ref _answered);
        return (JudgeAnswer(payload, declaredSize, reply), true);
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
    private static long LegitimateWaitMs(IRequestMessage? request) => request switch
    {
        FetchRequest fetch => fetch.MaxWaitMs,
        JoinGroupRequest join => Math.Max((long)join.RebalanceTimeoutMs, join.SessionTimeoutMs),
        _ => 0,
    };

    /// <summary>The mutant as the broker should read it, or null when it is not a valid request.</summary>
    private static IRequestMessage? ParseLikeTheBroker(byte[] payload)
    {
        if (payload.Length < 8)
        {
            return null;
        }
        var key = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(payload);
        var version = BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(2));
        if (!ApiMessages.IsSupported(key, version))
        {
            return null;
        }
        try
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(payload));
            return RequestHeader.TryRead(ref reader, ApiMessages.RequestHeaderVersion(key, version), out _)
                ? ApiMessages.ReadRequest(key, version, ref reader)
                : null;
        }
        catch (ProtocolException)
        {
            return null;
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

    public async ValueTask DisposeAsync()
    {
        await ResolveParkedAsync();
        await DropConnectionAsync();
    }

    private static byte[] FollowUpApiVersions(ref int correlationId)
    {
        var payload = new byte[10];
        BinaryPrimitives.WriteInt16BigEndian(payload, (short)ApiKey.ApiVersions);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), ++correlationId);
        BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(8), -1); // null client id, v0 body is empty
        return payload;
    }

    private static string Hex(byte[] payload) =>
        Convert.ToHexString(payload, 0, Math.Min(payload.Length, 512)) + (payload.Length > 512 ? "..." : "");
}
