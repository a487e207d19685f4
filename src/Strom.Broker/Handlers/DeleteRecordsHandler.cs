using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DeleteRecords (21): moves each partition's log start offset up to the requested offset
/// (-1: the high watermark) and answers the new low watermark. Above the high watermark or
/// below -1 is OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks delete is
/// POLICY_VIOLATION; Kafka's internal topics are INVALID_TOPIC_EXCEPTION. The new start
/// offsets are checkpointed at once so they survive a crash.
/// </summary>
public sealed class DeleteRecordsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 2;
    public const long HighWatermark = -1;

    public DeleteRecordsResponse Handle(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        var moved = false;
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var p in topic.Partitions)
            {
                var (error, lowWatermark) = Delete(topic.Name, p.PartitionIndex, p.Offset);
                moved |= error == ErrorCode.None;
                topicResult.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = p.PartitionIndex,
                    LowWatermark = lowWatermark,
                    ErrorCode = (short)error,
                });
            }
        }
        if (moved)
        {
            broker.Logs.WriteCheckpoints(recoveryPoints: false, logStartOffsets: true);
        }
        return response;
    }

    private (ErrorCode Error, long LowWatermark) Delete(string topic, int partitionIndex, long offset)
    {
        if (topic is "__consumer_offsets" or "__transaction_state")
        {
            return (ErrorCode.InvalidTopicException, -1);
        }
        var partition = broker.Partitions.Get(topic, partitionIndex);
        if (partition is null)
        {
            return (ErrorCode.UnknownTopicOrPartition, -1);
        }
        if (!partition.Config.Delete)
        {
            return (ErrorCode.PolicyViolation, -1);
        }
        var target = offset == HighWatermark ? partition.HighWatermark : offset;
        if (target < 0)
        {
            return (ErrorCode.OffsetOutOfRange, -1);
        }
        var error = partition.Log.DeleteRecordsBefore(target);
        return error == ErrorCode.None ? (ErrorCode.None, partition.LogStartOffset) : (error, -1);
    }
}
