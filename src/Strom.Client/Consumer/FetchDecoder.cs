using Strom.Client.Config;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;

namespace Strom.Client.Consumer;

/// <summary>
/// Turns one partition of a Fetch response into records. The broker returns whole batches,
/// starting with the one that contains the fetch offset, so records below it are skipped;
/// control batches are never shown. Under read_committed, batches of transactions listed as
/// aborted are dropped: a producer's batches count as aborted from the listed first offset
/// until its abort marker (KIP-98's consumer algorithm).
/// </summary>
internal static class FetchDecoder
{
    /// <summary>The visible records, and the offset to fetch next (past the last complete batch).</summary>
    public static (List<ConsumeResult> Records, long NextOffset) Decode(string topic, FetchResponse.PartitionData data, long fetchOffset,
        IsolationLevel isolation, bool checkCrcs)
    {
        var records = new List<ConsumeResult>();
        var next = fetchOffset;
        if (data.Records is not { Length: > 0 } bytes)
        {
            return (records, next);
        }
        var aborted = isolation == IsolationLevel.ReadCommitted && data.AbortedTransactions is { Count: > 0 } list
            ? new Queue<FetchResponse.AbortedTransaction>(list.OrderBy(a => a.FirstOffset))
            : null;
        var abortedProducers = new HashSet<long>();
        var reader = new RecordBatchReader(bytes, verifyCrc: checkCrcs);
        while (reader.TryReadNext(out var batch))
        {
            next = Math.Max(next, batch.NextOffset);
            while (aborted is not null && aborted.TryPeek(out var a) && a.FirstOffset <= batch.LastOffset)
            {
                abortedProducers.Add(aborted.Dequeue().ProducerId);
            }
            if (batch.IsControl)
            {
                if (abortedProducers.Count > 0 && batch.Records.Count > 0 && batch.Records[0].Key is { } key
                    && ControlRecord.TryParseKey(key.Span, out _, out var type) && type == ControlRecordType.Abort)
                {
                    abortedProducers.Remove(batch.ProducerId);
                }
                continue;
            }
            if (batch.IsTransactional && abortedProducers.Contains(batch.ProducerId))
            {
                continue;
            }
            if (batch.NextOffset <= fetchOffset)
            {
                continue;
            }
            var timestampType = batch.TimestampType;
            foreach (var record in batch.Records)
            {
                if (record.Offset < fetchOffset)
                {
                    continue;
                }
                records.Add(new ConsumeResult(topic, data.PartitionIndex, record.Offset, record.Timestamp, timestampType,
                    record.Key, record.Value, record.Headers));
            }
        }
        return (records, next);
    }
}
