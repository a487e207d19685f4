using Strom.Client.Cluster;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;

namespace Strom.Client.Producer;

/// <summary>
/// The producer's sender: a background loop that closes ready batches, groups them by leader
/// into Produce requests within max.in.flight, and completes, retries or fails each batch from
/// the broker's answer.
/// </summary>
public sealed partial class KafkaProducer
{
    private async Task SendLoopAsync()
    {
        while (true)
        {
            var stopping = _stop.IsCancellationRequested;
            TimeSpan wait;
            try
            {
                await RefreshStaleTopicsAsync().ConfigureAwait(false);
                await EnsureProducerIdAsync().ConfigureAwait(false);
                wait = SendReady(stopping);
            }
            catch (Exception)
            {
                wait = TimeSpan.FromMilliseconds(_options.Client.RetryBackoffMs);
            }
            if (stopping)
            {
                lock (_lock)
                {
                    if (_incomplete.Count == 0 && _awaitingMetadata.Count == 0)
                    {
                        return;
                    }
                }
            }
            try
            {
                await _wake.WaitAsync(wait).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task RefreshStaleTopicsAsync()
    {
        string[] topics;
        lock (_lock)
        {
            topics = [.. _staleTopics];
            _staleTopics.Clear();
        }
        foreach (var topic in topics)
        {
            try
            {
                await _cluster.GetTopicAsync(topic, _options.Client.AllowAutoCreateTopics, forceRefresh: true).ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                // The batches stay queued; their delivery timeout decides when to give up.
            }
        }
    }

    /// <summary>
    /// Starts produce requests for every partition that has batches due; returns how long to
    /// sleep. A partition has up to max.in.flight batches in flight (at most five with
    /// idempotence, whose sequence numbers let the broker reject a batch that overtook a failed
    /// one). A retried batch goes alone, after everything before it has its answer.
    /// </summary>
    private TimeSpan SendReady(bool stopping)
    {
        var now = DateTime.UtcNow;
        var metadata = _cluster.Metadata;
        var linger = TimeSpan.FromMilliseconds(_options.LingerMs);
        var nextWake = TimeSpan.FromMilliseconds(100);
        var byLeader = new Dictionary<int, List<ProducerBatch>>();
        var force = stopping || Volatile.Read(ref _flushing) > 0;
        lock (_lock)
        {
            var idempotent = _idempotent;
            var blocked = idempotent && (_producerId < 0 || _epochBumpNeeded);
            foreach (var (tp, queue) in _queues)
            {
                ExpireWaiting(queue, now);
                if (queue.InFlight >= _maxInFlightPerPartition)
                {
                    continue;
                }
                if (queue.Ready.Count == 0 && queue.Open is { } open)
                {
                    var due = open.CreatedAt + linger;
                    if (force || due <= now)
                    {
                        CloseOpen(queue, metadata.Topics.TryGetValue(tp.Topic, out var t) ? t.Partitions.Count : 1);
                    }
                    else if (due - now < nextWake)
                    {
                        nextWake = due - now;
                    }
                }
                var taken = 0;
                while (queue.InFlight < _maxInFlightPerPartition && queue.Ready.First?.Value is { } batch && !blocked)
                {
                    if (batch.RetryAfter > now)
                    {
                        nextWake = TimeSpan.FromTicks(Math.Min(nextWake.Ticks, (batch.RetryAfter - now).Ticks));
                        break;
                    }
                    var retry = batch.Attempts > 0;
                    if (retry && queue.InFlight > 0)
                    {
                        break;
                    }
                    var leader = metadata.Topics.TryGetValue(tp.Topic, out var topic) && tp.Partition < topic.Partitions.Count
                        ? topic.Partitions[tp.Partition].Leader
                        : -1;
                    if (leader < 0)
                    {
                        _staleTopics.Add(tp.Topic);
                        batch.RetryAfter = now + _options.Client.Backoff(batch.Attempts++);
                        break;
                    }
                    // Each request carries at most one batch of a partition: the batches taken now
                    // become that many requests, which must fit max.in.flight for the connection.
                    if (taken >= _options.MaxInFlightRequestsPerConnection - _requestsInFlight.GetValueOrDefault(leader))
                    {
                        break;
                    }
                    taken++;
                    if (idempotent && batch.BaseSequence < 0)
                    {
                        batch.StampIdempotence(_producerId, _epoch, queue.NextSequence);
                        queue.NextSequence = NextSequence(queue.NextSequence, batch.RecordCount);
                    }
                    if (!byLeader.TryGetValue(leader, out var list))
                    {
                        byLeader[leader] = list = [];
                    }
                    queue.Ready.RemoveFirst();
                    queue.InFlight++;
                    list.Add(batch);
                    if (retry)
                    {
                        break;
                    }
                }
            }
        }
        foreach (var (leader, batches) in byLeader)
        {
            var requests = SplitRequests(batches);
            lock (_lock)
            {
                _requestsInFlight[leader] = _requestsInFlight.GetValueOrDefault(leader) + requests.Count;
            }
            foreach (var request in requests)
            {
                _ = SendBatchesAsync(leader, request);
            }
        }
        return nextWake < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : nextWake;
    }

    /// <summary>Sequence numbers wrap from int.MaxValue to 0, as Kafka's do.</summary>
    private static int NextSequence(int sequence, int count) => (int)(((long)sequence + count) % ((long)int.MaxValue + 1));

    /// <summary>
    /// Groups batches into requests of at most max.request.size with at most one batch per
    /// partition each; a partition's later batches go into later requests, which are written to
    /// the connection in order.
    /// </summary>
    private List<List<ProducerBatch>> SplitRequests(List<ProducerBatch> batches)
    {
        var requests = new List<(List<ProducerBatch> Batches, HashSet<TopicPartition> Partitions, int Size)>();
        var last = new Dictionary<TopicPartition, int>();
        foreach (var batch in batches)
        {
            var from = last.TryGetValue(batch.Partition, out var i) ? i + 1 : 0;
            var target = -1;
            for (var r = from; r < requests.Count; r++)
            {
                if (requests[r].Size + batch.SizeInBytes <= _options.MaxRequestSize && !requests[r].Partitions.Contains(batch.Partition))
                {
                    target = r;
                    break;
                }
            }
            if (target < 0)
            {
                requests.Add(([], [], 0));
                target = requests.Count - 1;
            }
            var (list, partitions, size) = requests[target];
            list.Add(batch);
            partitions.Add(batch.Partition);
            requests[target] = (list, partitions, size + batch.SizeInBytes);
            last[batch.Partition] = target;
        }
        return requests.Select(r => r.Batches).ToList();
    }

    /// <summary>Fails waiting batches whose delivery.timeout.ms has passed. Caller holds the lock.</summary>
    private void ExpireWaiting(PartitionQueue queue, DateTime now)
    {
        while (queue.Ready.First?.Value is { } batch && batch.Deadline <= now && queue.InFlight == 0)
        {
            queue.Ready.RemoveFirst();
            if (batch.BaseSequence >= 0)
            {
                // Its sequence numbers were used: the next batch would leave a gap. Start a new epoch.
                _epochBumpNeeded = true;
            }
            Complete(batch, new KafkaException(ErrorCode.RequestTimedOut,
                $"{batch.RecordCount} record(s) for {batch.Partition} expired after delivery.timeout.ms ({_options.DeliveryTimeoutMs} ms)"));
        }
    }

    private async Task SendBatchesAsync(int leader, List<ProducerBatch> batches)
    {
        var request = new ProduceRequest { Acks = _options.Acks, TimeoutMs = _options.Client.RequestTimeoutMs };
        foreach (var group in batches.GroupBy(b => b.Partition.Topic))
        {
            var topicData = new ProduceRequest.TopicProduceData { Name = group.Key };
            foreach (var batch in group)
            {
                topicData.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = batch.Partition.Partition, Records = batch.Bytes });
            }
            request.TopicData.Add(topicData);
        }
        ProduceResponse? response = null;
        KafkaException? failure = null;
        try
        {
            var connection = await _cluster.GetConnectionAsync(leader).ConfigureAwait(false);
            if (_options.Acks == 0)
            {
                await connection.SendWithoutResponseAsync(request).ConfigureAwait(false);
            }
            else
            {
                response = await connection.SendAsync<ProduceResponse>(request).ConfigureAwait(false);
            }
        }
        catch (KafkaException ex)
        {
            failure = ex;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            failure = new KafkaException(ErrorCode.NetworkException, ex.Message, ex);
        }
        lock (_lock)
        {
            _requestsInFlight[leader]--;
        }
        foreach (var batch in batches)
        {
            if (failure is not null)
            {
                Retry(batch, failure);
                continue;
            }
            if (response is null)
            {
                Complete(batch, null, -1, -1);
                continue;
            }
            var partition = response.Responses.FirstOrDefault(t => t.Name == batch.Partition.Topic)?
                .PartitionResponses.FirstOrDefault(p => p.Index == batch.Partition.Partition);
            if (partition is null)
            {
                Retry(batch, new KafkaException(ErrorCode.UnknownServerError, $"the produce response has no entry for {batch.Partition}"));
            }
            else if (partition.ErrorCode == 0 || partition.ErrorCode == (short)ErrorCode.DuplicateSequenceNumber)
            {
                Complete(batch, null, partition.BaseOffset, partition.LogAppendTimeMs);
            }
            else
            {
                var code = (ErrorCode)partition.ErrorCode;
                var message = partition.ErrorMessage ?? partition.RecordErrors?.FirstOrDefault()?.BatchIndexErrorMessage;
                var error = new KafkaException(code, $"produce to {batch.Partition}: {code.ToKafkaName()}{(message is null ? "" : $" ({message})")}");
                Retry(batch, error);
            }
        }
        Wake();
    }

    /// <summary>Puts a failed batch back at the head of its queue if the error is retriable and time remains; else fails it.</summary>
    private void Retry(ProducerBatch batch, KafkaException error)
    {
        var now = DateTime.UtcNow;
        lock (_lock)
        {
            var queue = _queues[batch.Partition];
            queue.InFlight--;
            var retriable = error.IsRetriable || (batch.BaseSequence >= 0 && IsIdempotenceRetriable(queue, batch, error.ErrorCode));
            if (!retriable || now >= batch.Deadline)
            {
                if (batch.BaseSequence >= 0)
                {
                    _epochBumpNeeded = true;
                }
                Complete(batch, error);
                return;
            }
            _staleTopics.Add(batch.Partition.Topic);
            batch.RetryAfter = now + _options.Client.Backoff(batch.Attempts++);
            queue.Requeue(batch);
        }
    }

    private void Complete(ProducerBatch batch, KafkaException? error, long baseOffset = -1, long logAppendTime = -1)
    {
        lock (_lock)
        {
            if (error is null)
            {
                var queue = _queues[batch.Partition];
                queue.InFlight--;
                if (batch.BaseSequence >= 0)
                {
                    queue.LastAckedSequence = NextSequence(batch.BaseSequence, batch.RecordCount - 1);
                }
            }
            _incomplete.Remove(batch);
        }
        if (error is null)
        {
            batch.Succeed(baseOffset, logAppendTime);
        }
        else
        {
            batch.Fail(error);
        }
    }
}
