using System.Collections;
using System.Reflection;
using System.Text;
using Strom.Protocol;
using Strom.Protocol.Records;

namespace Strom.Broker.Tests.Fuzz;

/// <summary>What a plausible request refers to: existing topics, a group, a records batch.</summary>
/// <summary>
/// What a plausible request refers to: existing topics, a group, a records batch; and, drawn from
/// the mutant's seed, <see cref="Variant"/> choices between valid alternatives (acks 0/1/-1, a new
/// fetch session or none, partition 0 or 1, one list element or two).
/// </summary>
internal sealed record FuzzTargets(string Topic, Uuid TopicId, string AdminTopic, string Group, CompressionType Compression, Random Variant);

/// <summary>
/// Builds a valid request of any generated type with values a handler accepts (an existing topic,
/// partition 0, short waits, a real record batch), so that mutants of it reach past the first
/// checks into the handlers. Adapted from the protocol tests' sample filler, but chooses values
/// by field name instead of "anything but the default".
/// </summary>
internal static class PlausibleRequests
{
    public static IRequestMessage Create(ApiKey key, FuzzTargets targets)
    {
        var type = typeof(IRequestMessage).Assembly.GetType($"Strom.Protocol.Messages.{key}Request", throwOnError: true)!;
        var request = (IRequestMessage)Activator.CreateInstance(type)!;
        Fill(request, key, targets, depth: 0);
        return request;
    }

    public static byte[] Batch(CompressionType compression, int records = 2)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (var i = 0; i < records; i++)
        {
            builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"fk{i}"), Encoding.UTF8.GetBytes($"fuzz-value-{i}"));
        }
        return builder.ToArray();
    }

    private static void Fill(object target, ApiKey key, FuzzTargets targets, int depth)
    {
        var owner = target.GetType().Name;
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.Name == "UnknownTaggedFields")
            {
                continue;
            }
            var value = Value(property.PropertyType, property.Name, owner, key, targets, depth, property.GetValue(target));
            property.SetValue(target, value);
        }
    }

    private static object? Value(Type type, string name, string owner, ApiKey key, FuzzTargets targets, int depth, object? current)
    {
        var variant = targets.Variant;
        var topic = key is ApiKey.CreateTopics or ApiKey.DeleteTopics or ApiKey.CreatePartitions ? targets.AdminTopic : targets.Topic;
        if (type == typeof(string))
        {
            return name switch
            {
                "Name" when owner.Contains("Protocol", StringComparison.Ordinal) => "range",
                "Name" when owner.Contains("Config", StringComparison.Ordinal) => "retention.ms",
                "Value" => "604800000",
                "Name" or "Topic" or "ResourceName" => topic,
                "GroupId" or "Key" => targets.Group,
                "ProtocolType" => "consumer",
                "ProtocolName" => "range",
                "MemberId" or "RackId" => "",
                "ClientSoftwareName" => "strom-fuzz",
                "ClientSoftwareVersion" => "1.0",
                "Reason" => "fuzz",
                "CommittedMetadata" => "meta",
                "GroupInstanceId" or "TransactionalId" or "ClusterId" => null,
                _ => current ?? "",
            };
        }
        if (type == typeof(int))
        {
            return name switch
            {
                "MaxWaitMs" => 5,
                "MinBytes" => 0, // with max_wait, a mutant must change both to make the broker wait
                "MaxBytes" or "PartitionMaxBytes" => variant.Next(2) == 0 ? 1 << 20 : 64,
                "TimeoutMs" or "timeoutMs" => 1000,
                // Short, so a JoinGroup that waits for other members (a mutant's group id may hit another's) is judged.
                "SessionTimeoutMs" or "RebalanceTimeoutMs" => 1500,
                "Partition" or "PartitionIndex" or "Index" => variant.Next(3) == 0 ? 1 : 0,
                "TransactionTimeoutMs" => 60000,
                "NumPartitions" => 1,
                "Count" => 2,
                "MaxNumOffsets" => 1,
                "SessionEpoch" => variant.Next(3) == 0 ? 0 : -1, // 0 opens an incremental fetch session
                "ReplicaId" or "CurrentLeaderEpoch" or "LastFetchedEpoch" or "CommittedLeaderEpoch"
                    or "GenerationId" or "GenerationIdOrMemberEpoch" or "MemberEpoch" => -1,
                _ => 0,
            };
        }
        if (type == typeof(long))
        {
            return name switch
            {
                "CommittedOffset" => 1L,
                "Offset" => 0L,
                "Timestamp" => -1L,
                _ => name is "FetchOffset" ? 0L : -1L,
            };
        }
        if (type == typeof(short))
        {
            return name switch
            {
                "Acks" => (short)(variant.Next(4) switch { 0 => 0, 1 => 1, _ => -1 }), // acks 0 gets no answer
                "ReplicationFactor" => (short)1,
                _ => (short)-1,
            };
        }
        if (type == typeof(sbyte))
        {
            return name switch
            {
                "ResourceType" => (sbyte)2, // topic
                "IsolationLevel" => (sbyte)variant.Next(2),
                "EndpointType" => (sbyte)1,
                _ => (sbyte)0,
            };
        }
        if (type == typeof(bool))
        {
            return false;
        }
        if (type == typeof(Uuid))
        {
            return name == "TopicId" ? targets.TopicId : default(Uuid);
        }
        if (type == typeof(byte[]))
        {
            return Array.Empty<byte>();
        }
        if (type == typeof(ReadOnlyMemory<byte>?) || type == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>(Batch(targets.Compression));
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(type)!;
            if (name is "Assignments" or "ForgottenTopicsData" or "StatesFilter" or "TypesFilter" or "BrokerIds" || depth > 3)
            {
                // CreatePartitions: null assignments = "let the broker place them".
                return owner == "CreatePartitionsTopic" ? null : list;
            }
            var item = element == typeof(string)
                ? name switch
                {
                    "Groups" or "GroupsNames" or "CoordinatorKeys" => targets.Group,
                    "ConfigurationKeys" => "retention.ms",
                    _ => topic,
                }
                : element == typeof(int) ? 0 : CreateNested(element, key, targets, depth + 1);
            list.Add(item);
            if (depth == 0 && element != typeof(string) && element != typeof(int) && variant.Next(3) == 0)
            {
                list.Add(CreateNested(element, key, targets, depth + 1));
            }
            return list;
        }
        if (type.IsClass && type.IsNested)
        {
            return CreateNested(type, key, targets, depth + 1);
        }
        return current;
    }

    private static object CreateNested(Type type, ApiKey key, FuzzTargets targets, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        Fill(instance, key, targets, depth);
        return instance;
    }
}
