using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// Produce (0): validates and appends each partition's records. acks=0 gets no response at
/// all; acks=1 and acks=-1 are answered once the batches are in the log (a single node is the
/// whole in-sync replica set). v0-v2 carry legacy message sets, converted to v2 batches.
/// </summary>
public sealed class ProduceHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 11;

    public ProduceResponse? Handle(RequestContext context, ProduceRequest request)
    {
        var acks = request.Acks;
        var response = new ProduceResponse();
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResponse);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse
                {
                    Index = partitionData.Index,
                    BaseOffset = -1,
                    LogAppendTimeMs = -1,
                    LogStartOffset = -1,
                };
                topicResponse.PartitionResponses.Add(result);
                if (acks is not (0 or 1 or -1))
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }
                var partition = broker.Partitions.Get(topicData.Name, partitionData.Index);
                if (partition is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                if (partitionData.Records is not { Length: > 0 } records)
                {
                    result.ErrorCode = (short)ErrorCode.CorruptMessage;
                    result.ErrorMessage = "Produce request contains no records";
                    continue;
                }
                var outcome = partition.Append(records, acks);
                result.ErrorCode = (short)outcome.Error;
                result.BaseOffset = outcome.BaseOffset;
                result.LogAppendTimeMs = outcome.LogAppendTime;
                result.LogStartOffset = outcome.LogStartOffset;
                if (outcome.Error != ErrorCode.None)
                {
                    result.ErrorMessage = outcome.Message;
                    if (outcome.BatchIndex >= 0)
                    {
                        result.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage
                        {
                            BatchIndex = outcome.BatchIndex,
                            BatchIndexErrorMessage = outcome.Message,
                        });
                    }
                }
            }
        }
        return acks == 0 ? null : response;
    }
}
