using Strom.Broker.Network;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// DescribeLogDirs (35): each log directory with the partitions it holds (size in bytes and an
/// offset lag of 0: a leader's log is its own high watermark), total and usable bytes of its
/// file system (v4). Null topics means every partition; named partitions that are not here
/// are left out, as Kafka does.
/// </summary>
public sealed class DescribeLogDirsHandler(KafkaBroker broker)
{
    public const short MinVersion = 0;
    public const short MaxVersion = 4;

    public DescribeLogDirsResponse Handle(RequestContext context, DescribeLogDirsRequest request)
    {
        HashSet<(string, int)>? wanted = request.Topics is null
            ? null
            : request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p))).ToHashSet();
        var response = new DescribeLogDirsResponse();
        foreach (var dir in broker.Logs.DescribeLogDirs())
        {
            var result = new DescribeLogDirsResponse.DescribeLogDirsResult
            {
                LogDir = dir.Path,
                TotalBytes = dir.TotalBytes,
                UsableBytes = dir.UsableBytes,
            };
            foreach (var group in dir.Partitions
                .Where(p => wanted is null || wanted.Contains((p.TopicPartition.Topic, p.TopicPartition.Partition)))
                .GroupBy(p => p.TopicPartition.Topic, StringComparer.Ordinal))
            {
                var topic = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = group.Key };
                foreach (var p in group)
                {
                    topic.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition
                    {
                        PartitionIndex = p.TopicPartition.Partition,
                        PartitionSize = p.Size,
                        OffsetLag = p.OffsetLag,
                        IsFutureKey = p.IsFuture,
                    });
                }
                result.Topics.Add(topic);
            }
            response.Results.Add(result);
        }
        return response;
    }
}
