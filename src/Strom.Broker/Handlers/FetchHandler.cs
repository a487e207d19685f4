using Strom.Broker.Fetching;
using Strom.Broker.Network;
using Strom.Broker.Partitions;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Storage;

namespace Strom.Broker.Handlers;

/// <summary>
/// Fetch (1): whole batches from the log, starting with the batch that contains the fetch
/// offset, bounded by the high watermark (read_uncommitted) or last stable offset
/// (read_committed). Long-polls until min_bytes are available or max_wait_ms passes. v7+
/// keeps incremental fetch sessions (KIP-227); v13+ names topics by id.
/// </summary>
public sealed class FetchHandler(KafkaBroker broker)
{
    public const short MinVersion = 4;
    public const short MaxVersion = 17;

    private readonly record struct Target(FetchSessionPartition State, Partition? Partition, ErrorCode Error, string TopicName);

    public async ValueTask<FetchResponse> HandleAsync(RequestContext context, FetchRequest request)
    {
        var version = context.ApiVersion;
        var response = new FetchResponse();
        if (!TryResolveSession(request, version, response, out var session, out var targets, out var incremental))
        {
            return response;
        }
        var responseMaxBytes = Math.Max(0, Math.Min(request.MaxBytes, broker.Config.FetchMaxBytes));
        var readCommitted = request.IsolationLevel == 1;
        var deadline = broker.Time.GetUtcNow().AddMilliseconds(Math.Max(0, request.MaxWaitMs));

        while (true)
        {
            var (bytes, anyError) = Read(context, targets, responseMaxBytes, readCommitted, response, version);
            var remaining = deadline - broker.Time.GetUtcNow();
            if (bytes >= request.MinBytes || anyError || remaining <= TimeSpan.Zero || context.ConnectionClosed.IsCancellationRequested)
            {
                break;
            }
            // Not enough data: wait for any fetched partition to grow, or the deadline.
            var waits = new List<Task>(targets.Count + 1);
            var changed = false;
            foreach (var t in targets)
            {
                if (t.Partition is { } p)
                {
                    waits.Add(p.DataArrived.WaitAsync());
                    changed |= p.HighWatermark > t.State.FetchOffset && p.HighWatermark != ObservedHighWatermark(response, t);
                }
            }
            if (!changed)
            {
                waits.Add(Task.Delay(remaining, broker.Time, context.ConnectionClosed));
                try
                {
                    await Task.WhenAny(waits).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            ReleaseRecords(context);
            response.Responses.Clear();
        }

        if (session is not null)
        {
            response.SessionId = session.Id;
            if (incremental)
            {
                DropUnchanged(response, session);
            }
            RememberSent(response, session);
        }
        return response;
    }

    private bool TryResolveSession(FetchRequest request, short version, FetchResponse response,
        out FetchSession? session, out List<Target> targets, out bool incremental)
    {
        session = null;
        incremental = false;
        targets = [];
        var cache = broker.FetchSessions;
        if (version >= 7 && request.SessionId != 0)
        {
            session = cache.Get(request.SessionId);
            if (session is null)
            {
                response.ErrorCode = (short)ErrorCode.FetchSessionIdNotFound;
                return false;
            }
            if (request.SessionEpoch == FetchSessionCache.FinalEpoch)
            {
                cache.Remove(session.Id);
                session = null;
                targets = FromRequest(request, version, null);
                return true;
            }
            lock (session.Lock)
            {
                if (request.SessionEpoch != session.NextEpoch)
                {
                    response.ErrorCode = (short)ErrorCode.InvalidFetchSessionEpoch;
                    session = null;
                    return false;
                }
                session.NextEpoch = session.NextEpoch == int.MaxValue ? 1 : session.NextEpoch + 1;
                foreach (var forgotten in request.ForgottenTopicsData)
                {
                    var name = version >= 13 ? TopicName(forgotten.TopicId) : forgotten.Topic;
                    if (name is null)
                    {
                        continue;
                    }
                    foreach (var p in forgotten.Partitions)
                    {
                        if (session.ByPartition.Remove(new TopicPartition(name, p), out var state))
                        {
                            session.Partitions.Remove(state);
                        }
                    }
                }
                FromRequest(request, version, session);
                incremental = true;
                targets = session.Partitions.Select(ToTarget).ToList();
            }
            return true;
        }
        if (version >= 7 && request.SessionEpoch == FetchSessionCache.InitialEpoch)
        {
            session = cache.Create();
        }
        else if (version >= 7 && request.SessionEpoch != FetchSessionCache.FinalEpoch)
        {
            response.ErrorCode = (short)ErrorCode.InvalidFetchSessionEpoch;
            return false;
        }
        if (session is not null)
        {
            lock (session.Lock)
            {
                targets = FromRequest(request, version, session);
            }
        }
        else
        {
            targets = FromRequest(request, version, null);
        }
        return true;
    }

    /// <summary>Turns the request's partitions into targets, adding or updating them in the session if any.</summary>
    private List<Target> FromRequest(FetchRequest request, short version, FetchSession? session)
    {
        var targets = new List<Target>();
        foreach (var topic in request.Topics)
        {
            var name = version >= 13 ? TopicName(topic.TopicId) : topic.Topic;
            foreach (var p in topic.Partitions)
            {
                if (name is null)
                {
                    var unknown = new FetchSessionPartition(new TopicPartition("", p.Partition), topic.TopicId) { FetchOffset = p.FetchOffset, MaxBytes = p.PartitionMaxBytes };
                    targets.Add(new Target(unknown, null, ErrorCode.UnknownTopicId, ""));
                    continue;
                }
                var tp = new TopicPartition(name, p.Partition);
                FetchSessionPartition state;
                if (session is not null)
                {
                    if (!session.ByPartition.TryGetValue(tp, out state!))
                    {
                        state = new FetchSessionPartition(tp, topic.TopicId);
                        session.ByPartition[tp] = state;
                        session.Partitions.Add(state);
                    }
                }
                else
                {
                    state = new FetchSessionPartition(tp, topic.TopicId);
                }
                state.FetchOffset = p.FetchOffset;
                state.MaxBytes = p.PartitionMaxBytes;
                state.LogStartOffset = p.LogStartOffset;
                targets.Add(ToTarget(state));
            }
        }
        return targets;
    }

    private Target ToTarget(FetchSessionPartition state)
    {
        var partition = broker.Partitions.Get(state.Id.Topic, state.Id.Partition);
        return new Target(state, partition, partition is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.None, state.Id.Topic);
    }

    private string? TopicName(Uuid id) => broker.Topics.Registry.TryGet(id, out var t) ? t.Name : null;

    private (long Bytes, bool AnyError) Read(RequestContext context, List<Target> targets, int responseMaxBytes, bool readCommitted,
        FetchResponse response, short version)
    {
        long total = 0;
        var anyError = false;
        var minOneBatch = true;
        FetchResponse.FetchableTopicResponse? current = null;
        foreach (var target in targets)
        {
            if (current is null || current.Topic != target.TopicName || (version >= 13 && current.TopicId != target.State.TopicId))
            {
                current = new FetchResponse.FetchableTopicResponse { Topic = target.TopicName, TopicId = target.State.TopicId };
                response.Responses.Add(current);
            }
            var data = new FetchResponse.PartitionData
            {
                PartitionIndex = target.State.Id.Partition,
                HighWatermark = -1,
                LastStableOffset = -1,
                LogStartOffset = -1,
                Records = ReadOnlyMemory<byte>.Empty,
                AbortedTransactions = readCommitted ? [] : null,
            };
            current.Partitions.Add(data);
            if (target.Partition is not { } partition)
            {
                data.ErrorCode = (short)target.Error;
                anyError = true;
                continue;
            }
            var highWatermark = partition.HighWatermark;
            data.HighWatermark = highWatermark;
            data.LastStableOffset = highWatermark;
            data.LogStartOffset = partition.LogStartOffset;
            var offset = target.State.FetchOffset;
            if (offset < partition.LogStartOffset || offset > partition.LogEndOffset)
            {
                data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                anyError = true;
                continue;
            }
            var budget = (int)Math.Min(target.State.MaxBytes, Math.Max(0, responseMaxBytes - total));
            if (offset >= highWatermark || (budget <= 0 && !minOneBatch))
            {
                continue;
            }
            var read = partition.Log.Read(offset, budget, highWatermark, minOneBatch);
            if (read.Error == ErrorCode.OffsetOutOfRange)
            {
                read.Dispose();
                data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                anyError = true;
                continue;
            }
            if (read.Records.Length > 0)
            {
                data.Records = read.Records;
                total += read.Records.Length;
                minOneBatch = false;
                (context.ResponseResources ??= []).Add(read);
            }
            else
            {
                read.Dispose();
            }
        }
        return (total, anyError);
    }

    private static long ObservedHighWatermark(FetchResponse response, Target target)
    {
        foreach (var topic in response.Responses)
        {
            if (topic.Topic != target.TopicName)
            {
                continue;
            }
            foreach (var p in topic.Partitions)
            {
                if (p.PartitionIndex == target.State.Id.Partition)
                {
                    return p.HighWatermark;
                }
            }
        }
        return -1;
    }

    private static void ReleaseRecords(RequestContext context)
    {
        if (context.ResponseResources is { } resources)
        {
            foreach (var r in resources)
            {
                r.Dispose();
            }
            resources.Clear();
        }
    }

    /// <summary>An incremental response carries only partitions with records, errors or moved watermarks.</summary>
    private static void DropUnchanged(FetchResponse response, FetchSession session)
    {
        foreach (var topic in response.Responses)
        {
            topic.Partitions.RemoveAll(p =>
            {
                if (p.ErrorCode != 0 || p.Records is { Length: > 0 })
                {
                    return false;
                }
                var state = session.ByPartition.GetValueOrDefault(new TopicPartition(topic.Topic, p.PartitionIndex));
                return state is not null && state.LastHighWatermark == p.HighWatermark && state.LastLogStartOffset == p.LogStartOffset;
            });
        }
        response.Responses.RemoveAll(t => t.Partitions.Count == 0);
    }

    private static void RememberSent(FetchResponse response, FetchSession session)
    {
        lock (session.Lock)
        {
            foreach (var topic in response.Responses)
            {
                foreach (var p in topic.Partitions)
                {
                    if (session.ByPartition.TryGetValue(new TopicPartition(topic.Topic, p.PartitionIndex), out var state))
                    {
                        state.LastHighWatermark = p.HighWatermark;
                        state.LastLogStartOffset = p.LogStartOffset;
                    }
                }
            }
        }
    }
}
