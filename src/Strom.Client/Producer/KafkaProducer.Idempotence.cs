using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Producer;

/// <summary>
/// The idempotent producer (KIP-98, KIP-360): a producer id and epoch from InitProducerId, and
/// per partition consecutive sequence numbers stamped into each batch when it is first sent, so
/// the broker drops a retried batch it already has and rejects one that overtook a gap. When
/// the broker reports a real gap (OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID for the
/// batch it should see next), a batch fails after its sequences were used, or the epoch is
/// fenced, the producer waits until nothing is in flight, asks for a new epoch (InitProducerId
/// with the current id and epoch) and renumbers the unsent batches of every partition from 0.
/// </summary>
public sealed partial class KafkaProducer
{
    /// <summary>The producer id and epoch in use (-1 until the broker granted one, or when not idempotent).</summary>
    public (long ProducerId, short Epoch) ProducerIdAndEpoch
    {
        get
        {
            lock (_lock)
            {
                return (_producerId, _epoch);
            }
        }
    }

    /// <summary>True when the error of an idempotent batch is one a new try (maybe in a new epoch) resolves. Caller holds the lock.</summary>
    private bool IsIdempotenceRetriable(PartitionQueue queue, ProducerBatch batch, ErrorCode code)
    {
        switch (code)
        {
            case ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId:
                // Only a gap before the batch the broker should see next is real; otherwise an
                // earlier batch failed and this one is simply sent again after it.
                if (batch.BaseSequence == NextSequence(queue.LastAckedSequence, 1))
                {
                    _epochBumpNeeded = true;
                }
                return true;
            case ErrorCode.InvalidProducerEpoch or ErrorCode.ProducerFenced or ErrorCode.InvalidProducerIdMapping:
                _epochBumpNeeded = true;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Gets a producer id before the first batch is sent, and a new epoch when one is needed and
    /// no request is in flight. Errors leave the producer blocked until the next round; the
    /// batches' delivery timeout bounds the wait.
    /// </summary>
    private async Task EnsureProducerIdAsync()
    {
        long producerId;
        short epoch;
        lock (_lock)
        {
            if (!_idempotent || (_producerId >= 0 && !_epochBumpNeeded) || _incomplete.Count == 0
                || _queues.Values.Any(q => q.InFlight > 0))
            {
                return;
            }
            (producerId, epoch) = (_producerId, _epoch);
        }
        InitProducerIdResponse response;
        try
        {
            response = await _cluster.SendToAnyAsync<InitProducerIdResponse>(new InitProducerIdRequest
            {
                TransactionalId = null,
                TransactionTimeoutMs = int.MaxValue,
                ProducerId = producerId,
                ProducerEpoch = epoch,
            }).ConfigureAwait(false);
        }
        catch (KafkaException ex) when (ex.ErrorCode == ErrorCode.UnsupportedVersion && _options.EnableIdempotence is null)
        {
            // An old broker without producer ids: idempotence was only the default, so go without.
            lock (_lock)
            {
                _idempotent = false;
                _maxInFlightPerPartition = _options.MaxInFlightRequestsPerConnection;
            }
            return;
        }
        catch (KafkaException)
        {
            return;
        }
        if (response.ErrorCode != 0)
        {
            return;
        }
        lock (_lock)
        {
            _producerId = response.ProducerId;
            _epoch = response.ProducerEpoch;
            _epochBumpNeeded = false;
            foreach (var queue in _queues.Values)
            {
                var sequence = 0;
                foreach (var batch in queue.Ready.Where(b => b.BaseSequence >= 0))
                {
                    batch.StampIdempotence(_producerId, _epoch, sequence);
                    sequence = NextSequence(sequence, batch.RecordCount);
                }
                queue.NextSequence = sequence;
                queue.LastAckedSequence = -1;
            }
        }
    }
}
