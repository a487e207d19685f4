using Strom.Broker.Network;
using Strom.Broker.Partitions;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;

namespace Strom.Broker.Handlers;

/// <summary>
/// ListOffsets (2): -1 latest (high watermark, or last stable offset for read_committed),
/// -2 earliest (log start), -3 the record with the largest timestamp, -4 earliest local
/// (= earliest without tiered storage), otherwise the first offset whose timestamp is at
/// least the target. v0 answers in the old offsets array. Stored records that cannot be read
/// back (damaged on disk) fail their partition with CORRUPT_MESSAGE, not the connection.
/// </summary>
public sealed class ListOffsetsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    // v10 is marked unstable in the definitions; advertise the stable range.
    public const short MaxVersion = 9;
    public const long Latest = -1;
    public const long Earliest = -2;
    public const long MaxTimestamp = -3;
    public const long EarliestLocal = -4;
    public const long EarliestPendingUpload = -5;

    public ListOffsetsResponse Handle(RequestContext context, ListOffsetsRequest request)
    {
        var version = context.ApiVersion;
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse
                {
                    PartitionIndex = p.PartitionIndex,
                    Timestamp = -1,
                    Offset = -1,
                    LeaderEpoch = -1,
                };
                topicResponse.Partitions.Add(result);
                var partition = broker.Partitions.Get(topic.Name, p.PartitionIndex);
                if (partition is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                if (p.CurrentLeaderEpoch >= 0 && p.CurrentLeaderEpoch != partition.LeaderEpoch)
                {
                    result.ErrorCode = (short)(p.CurrentLeaderEpoch < partition.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch);
                    continue;
                }
                result.LeaderEpoch = partition.LeaderEpoch;
                try
                {
                    Resolve(partition, p.Timestamp, result);
                }
                catch (RecordFormatException ex)
                {
                    result.ErrorCode = (short)ex.ErrorCode;
                    result.Offset = -1;
                    result.Timestamp = -1;
                }
                if (version == 0)
                {
                    result.OldStyleOffsets = result.Offset >= 0 && p.MaxNumOffsets > 0 ? [result.Offset] : [];
                }
            }
        }
        return response;
    }

    private static void Resolve(Partition partition, long timestamp, ListOffsetsResponse.ListOffsetsPartitionResponse result)
    {
        switch (timestamp)
        {
            case Latest:
                result.Offset = partition.HighWatermark;
                break;
            case Earliest:
            case EarliestLocal:
                result.Offset = partition.LogStartOffset;
                break;
            case EarliestPendingUpload:
                break;
            case MaxTimestamp:
                if (partition.FindMaxTimestamp() is { } max)
                {
                    result.Offset = max.Offset;
                    result.Timestamp = max.Timestamp;
                }
                break;
            case < 0:
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                break;
            default:
                if (partition.FindOffsetForTimestamp(timestamp) is { } found)
                {
                    result.Offset = found.Offset;
                    result.Timestamp = found.Timestamp;
                }
                break;
        }
    }
}
