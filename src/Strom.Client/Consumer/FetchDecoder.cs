using Strom.Client.Config;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;

namespace Strom.Client.Consumer;

/// <summary>
/// Turns one partition of a Fetch response into the batches the application may see. The
/// broker returns whole batches, starting with the one that contains the fetch offset, so
/// records below it are skipped (by <see cref="FetchedRecords"/>); control batches are never
/// shown. Under read_committed, batches of transactions listed as aborted are dropped: a
/// producer's batches count as aborted from the listed first offset until its abort marker
/// (KIP-98's consumer algorithm). Records stay slices of the response bytes (or of one
/// decompressed array per batch): nothing is allocated per record.
/// </summary>
internal static class FetchDecoder
{
    /// <summary>The visible records, and the offset to fetch next (past the last complete batch).</summary>
    public static FetchedRecords Decode(FetchResponse.PartitionData data, long fetchOffset, IsolationLevel isolation, bool checkCrcs)
    {
        var visible = new FetchedRecords(fetchOffset);
        if (data.Records is not { Length: > 0 } bytes)
        {
            return visible;
        }
        var aborted = isolation == IsolationLevel.ReadCommitted && data.AbortedTransactions is { Count: > 0 } list
            ? new Queue<FetchResponse.AbortedTransaction>(list.OrderBy(a => a.FirstOffset))
            : null;
        HashSet<long>? abortedProducers = null;
        var reader = new RecordBatchReader(bytes, verifyCrc: checkCrcs);
        while (reader.TryReadNext(out var batch))
        {
            visible.NextOffset = Math.Max(visible.NextOffset, batch.NextOffset);
            while (aborted is not null && aborted.TryPeek(out var a) && a.FirstOffset <= batch.LastOffset)
            {
                (abortedProducers ??= []).Add(aborted.Dequeue().ProducerId);
            }
            if (batch.IsControl)
            {
                if (abortedProducers is { Count: > 0 } && batch.Records.Count > 0 && batch.Records[0].Key is { } key
                    && ControlRecord.TryParseKey(key.Span, out _, out var type) && type == ControlRecordType.Abort)
                {
                    abortedProducers.Remove(batch.ProducerId);
                }
                continue;
            }
            if (batch.IsTransactional && abortedProducers is not null && abortedProducers.Contains(batch.ProducerId))
            {
                continue;
            }
            if (batch.NextOffset <= fetchOffset)
            {
                continue;
            }
            batch.ValidateRecords(); // decompress and check here, on the fetch loop, so a malformed batch fails the fetch
            visible.Batches.Add(batch);
        }
        return visible;
    }
}

/// <summary>
/// The visible batches of one partition's fetch and a cursor over their records at or above
/// the fetch offset. Single reader.
/// </summary>
internal sealed class FetchedRecords(long fetchOffset)
{
    private int _batch = -1;
    private RecordEnumerator _records;

    public List<RecordBatchView> Batches { get; } = [];

    public long FetchOffset { get; } = fetchOffset;

    /// <summary>The offset to fetch next.</summary>
    public long NextOffset { get; set; } = fetchOffset;

    /// <summary>The next visible record, with its batch's timestamp type; false when all were read.</summary>
    public bool TryRead(out Record record, out TimestampType timestampType)
    {
        while (_batch < Batches.Count)
        {
            if (_batch >= 0)
            {
                while (_records.MoveNext())
                {
                    record = _records.Current;
                    if (record.Offset >= FetchOffset)
                    {
                        timestampType = Batches[_batch].TimestampType;
                        return true;
                    }
                }
            }
            if (++_batch < Batches.Count)
            {
                _records = Batches[_batch].EnumerateRecords();
            }
        }
        record = default;
        timestampType = default;
        return false;
    }
}
