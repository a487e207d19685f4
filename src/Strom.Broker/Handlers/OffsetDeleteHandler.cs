using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>OffsetDelete (47): deletes a group's offsets for topics it no longer subscribes to (KIP-496).</summary>
public sealed class OffsetDeleteHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 0;

    public OffsetDeleteResponse Handle(RequestContext context, OffsetDeleteRequest request)
    {
        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex))).ToList();
        var (error, results) = broker.Groups.DeleteOffsets(request.GroupId, partitions);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            return response;
        }
        var i = 0;
        foreach (var topic in request.Topics)
        {
            var t = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            response.Topics.Add(t);
            foreach (var p in topic.Partitions)
            {
                t.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)results[i++],
                });
            }
        }
        return response;
    }
}
