using Strom.Protocol;

namespace Strom.Broker.Metadata;

/// <summary>
/// Kafka's controller refuses a CreateTopics or CreatePartitions request that would add more than
/// 10,000 partitions in total (KAFKA-17870, KAFKA-19673) with POLICY_VIOLATION. Without it one
/// request with num_partitions = 2^31-1 makes the broker open partition logs until it runs out of
/// memory and file handles.
/// </summary>
public static class PartitionLimits
{
    public const int MaxNewPartitionsPerRequest = 10_000;
    public const ErrorCode TooManyError = ErrorCode.PolicyViolation;
    public const string TooManyMessage = "Excessively large number of partitions per request.";

    /// <summary>True when <paramref name="newPartitions"/> (summed as long, so it cannot overflow) is over the limit.</summary>
    public static bool TooMany(long newPartitions) => newPartitions > MaxNewPartitionsPerRequest;
}
