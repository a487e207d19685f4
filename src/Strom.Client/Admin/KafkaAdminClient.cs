using Strom.Client.Cluster;
using Strom.Client.Config;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Client.Admin;

/// <summary>
/// Administers topics, configs and the cluster over the Kafka protocol. Topic creation,
/// deletion and new partitions go to the controller Metadata names (any broker forwards them
/// in KRaft clusters); NOT_CONTROLLER refreshes metadata and retries. Each method throws a
/// <see cref="KafkaException"/> naming the first topic or resource that failed.
/// </summary>
public sealed partial class KafkaAdminClient : IAsyncDisposable
{
    private readonly KafkaCluster _cluster;

    public KafkaAdminClient(ClientOptions options) => _cluster = new KafkaCluster(options);

    public KafkaAdminClient(IReadOnlyDictionary<string, string> config)
        : this(ClientOptions.FromConfig(config))
    {
    }

    public KafkaCluster Cluster => _cluster;

    private int TimeoutMs => _cluster.Options.RequestTimeoutMs;

    /// <summary>Creates topics; with <paramref name="validateOnly"/> the broker only checks the request.</summary>
    public async Task CreateTopicsAsync(IEnumerable<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var request = new CreateTopicsRequest { timeoutMs = TimeoutMs, validateOnly = validateOnly };
        foreach (var topic in topics)
        {
            request.Topics.Add(new CreateTopicsRequest.CreatableTopic
            {
                Name = topic.Name,
                NumPartitions = topic.NumPartitions,
                ReplicationFactor = topic.ReplicationFactor,
                Configs = (topic.Configs ?? new Dictionary<string, string>())
                    .Select(kv => new CreateTopicsRequest.CreatableTopicConfig { Name = kv.Key, Value = kv.Value }).ToList(),
            });
        }
        var response = await SendToControllerAsync<CreateTopicsResponse>(request, cancellationToken).ConfigureAwait(false);
        foreach (var result in response.Topics)
        {
            ClientThrow.IfError(result.ErrorCode, result.ErrorMessage, $"create topic '{result.Name}'");
        }
    }

    /// <summary>Deletes topics by name.</summary>
    public async Task DeleteTopicsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        var list = names.ToList();
        var request = new DeleteTopicsRequest
        {
            TopicNames = list,
            Topics = list.Select(n => new DeleteTopicsRequest.DeleteTopicState { Name = n }).ToList(),
            TimeoutMs = TimeoutMs,
        };
        var response = await SendToControllerAsync<DeleteTopicsResponse>(request, cancellationToken).ConfigureAwait(false);
        foreach (var result in response.Responses)
        {
            ClientThrow.IfError(result.ErrorCode, result.ErrorMessage, $"delete topic '{result.Name}'");
        }
    }

    /// <summary>Every topic (Metadata for all topics), sorted by name; internal topics only when asked.</summary>
    public async Task<IReadOnlyList<TopicListing>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        var metadata = await _cluster.RefreshAsync(null, allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        return metadata.Topics.Values
            .Where(t => includeInternal || !t.IsInternal)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new TopicListing(t.Name, t.TopicId, t.IsInternal, t.Partitions.Count))
            .ToArray();
    }

    /// <summary>Partitions, leaders and replicas of each topic; UNKNOWN_TOPIC_OR_PARTITION for one that does not exist.</summary>
    public async Task<IReadOnlyList<TopicMetadata>> DescribeTopicsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        var list = names.ToList();
        var (response, _) = await _cluster.RequestMetadataAsync(list, allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        var snapshot = ClusterMetadata.From(response, null, replaceAllTopics: true);
        var results = new List<TopicMetadata>();
        foreach (var name in list)
        {
            var entry = response.Topics.FirstOrDefault(t => t.Name == name);
            if (entry is null)
            {
                ClientThrow.Error(ErrorCode.UnknownTopicOrPartition, null, $"topic '{name}'");
            }
            ClientThrow.IfError(entry.ErrorCode, null, $"topic '{name}'");
            results.Add(snapshot.Topics[name]);
        }
        return results;
    }

    /// <summary>Every config of a resource with its value and source (the broker lists defaults too).</summary>
    public async Task<IReadOnlyList<ConfigEntry>> DescribeConfigsAsync(ConfigResource resource, CancellationToken cancellationToken = default)
    {
        var request = new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, ConfigurationKeys = null }],
        };
        var response = await SendForResourceAsync<DescribeConfigsResponse>(resource, request, cancellationToken).ConfigureAwait(false);
        var result = response.Results.FirstOrDefault()
            ?? throw new KafkaException(ErrorCode.UnknownServerError, $"no configs returned for {Describe(resource)}");
        ClientThrow.IfError(result.ErrorCode, result.ErrorMessage, Describe(resource));
        return result.Configs
            .Select(c => new ConfigEntry(c.Name, c.Value, (ConfigSource)c.ConfigSource,
                c.IsDefault || c.ConfigSource == (sbyte)ConfigSource.DefaultConfig, c.ReadOnly, c.IsSensitive))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>AlterConfigs (legacy): replaces the resource's whole set of dynamic configs with <paramref name="configs"/>.</summary>
    public async Task AlterConfigsAsync(ConfigResource resource, IReadOnlyDictionary<string, string?> configs, CancellationToken cancellationToken = default)
    {
        var request = new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)resource.Type,
                    ResourceName = resource.Name,
                    Configs = configs.Select(kv => new AlterConfigsRequest.AlterableConfig { Name = kv.Key, Value = kv.Value }).ToList(),
                },
            ],
        };
        var response = await SendForResourceAsync<AlterConfigsResponse>(resource, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Responses)
        {
            ClientThrow.IfError(r.ErrorCode, r.ErrorMessage, $"alter configs of {Describe(resource)}");
        }
    }

    /// <summary>IncrementalAlterConfigs: sets, deletes, appends to or subtracts from single configs.</summary>
    public async Task IncrementalAlterConfigsAsync(ConfigResource resource, IEnumerable<AlterConfigOp> ops, CancellationToken cancellationToken = default)
    {
        var request = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)resource.Type,
                    ResourceName = resource.Name,
                    Configs = ops.Select(o => new IncrementalAlterConfigsRequest.AlterableConfig { Name = o.Name, Value = o.Value, ConfigOperation = (sbyte)o.Op }).ToList(),
                },
            ],
        };
        var response = await SendForResourceAsync<IncrementalAlterConfigsResponse>(resource, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Responses)
        {
            ClientThrow.IfError(r.ErrorCode, r.ErrorMessage, $"alter configs of {Describe(resource)}");
        }
    }

    /// <summary>Raises each topic's partition count to the given total.</summary>
    public async Task CreatePartitionsAsync(IReadOnlyDictionary<string, int> totalCounts, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var request = new CreatePartitionsRequest
        {
            Topics = totalCounts.Select(kv => new CreatePartitionsRequest.CreatePartitionsTopic { Name = kv.Key, Count = kv.Value, Assignments = null }).ToList(),
            TimeoutMs = TimeoutMs,
            ValidateOnly = validateOnly,
        };
        var response = await SendToControllerAsync<CreatePartitionsResponse>(request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Results)
        {
            ClientThrow.IfError(r.ErrorCode, r.ErrorMessage, $"create partitions of '{r.Name}'");
        }
    }

    /// <summary>Cluster id, controller and brokers: DescribeCluster when the broker has it, else Metadata.</summary>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (connection.Versions.Supports(ApiKey.DescribeCluster))
        {
            var response = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 1 }, cancellationToken).ConfigureAwait(false);
            ClientThrow.IfError(response.ErrorCode, response.ErrorMessage, "describe cluster");
            return new ClusterDescription(response.ClusterId, response.ControllerId,
                response.Brokers.Select(b => new BrokerNode(b.BrokerId, b.Host, b.Port, b.Rack)).OrderBy(b => b.Id).ToArray());
        }
        var metadata = await _cluster.RefreshAsync([], allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        return new ClusterDescription(metadata.ClusterId, metadata.ControllerId, metadata.Brokers.Values.OrderBy(b => b.Id).ToArray());
    }

    /// <summary>Offsets by spec per partition: <see cref="OffsetSpec.Earliest"/>, <see cref="OffsetSpec.Latest"/>, <see cref="OffsetSpec.MaxTimestamp"/> or a timestamp.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, OffsetAndTimestamp>> ListOffsetsAsync(IReadOnlyDictionary<TopicPartition, long> specs,
        IsolationLevel isolation = IsolationLevel.ReadUncommitted, CancellationToken cancellationToken = default) =>
        await OffsetLookup.ListOffsetsAsync(_cluster, specs, isolation, cancellationToken).ConfigureAwait(false);

    private static string Describe(ConfigResource resource) => resource.Type switch
    {
        ConfigResourceType.Topic => $"topic '{resource.Name}'",
        ConfigResourceType.Broker => $"broker {resource.Name}",
        _ => $"{resource.Type} '{resource.Name}'",
    };

    /// <summary>Broker configs are asked of that broker; everything else of any broker.</summary>
    private Task<TResponse> SendForResourceAsync<TResponse>(ConfigResource resource, IRequestMessage request, CancellationToken cancellationToken)
        where TResponse : class, IResponseMessage =>
        resource.Type is ConfigResourceType.Broker or ConfigResourceType.BrokerLogger && int.TryParse(resource.Name, out var id)
            ? SendToKnownNodeAsync<TResponse>(id, request, cancellationToken)
            : _cluster.SendToAnyAsync<TResponse>(request, cancellationToken);

    private async Task<TResponse> SendToKnownNodeAsync<TResponse>(int nodeId, IRequestMessage request, CancellationToken cancellationToken)
        where TResponse : class, IResponseMessage
    {
        if (!_cluster.Metadata.Brokers.ContainsKey(nodeId))
        {
            await _cluster.RefreshAsync([], allowAutoCreate: false, cancellationToken).ConfigureAwait(false);
        }
        return await _cluster.SendToNodeAsync<TResponse>(nodeId, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends to the controller; on NOT_CONTROLLER (top-level or per topic), refreshes metadata and tries again.</summary>
    private Task<TResponse> SendToControllerAsync<TResponse>(IRequestMessage request, CancellationToken cancellationToken)
        where TResponse : class, IResponseMessage =>
        _cluster.RetryAsync(async ct =>
        {
            var metadata = await _cluster.RefreshAsync([], allowAutoCreate: false, ct).ConfigureAwait(false);
            var response = metadata.ControllerId >= 0 && metadata.Brokers.ContainsKey(metadata.ControllerId)
                ? await _cluster.SendToNodeAsync<TResponse>(metadata.ControllerId, request, ct).ConfigureAwait(false)
                : await _cluster.SendToAnyAsync<TResponse>(request, ct).ConfigureAwait(false);
            if (HasNotController(response))
            {
                throw new KafkaException(ErrorCode.NotController, "the broker asked is not the controller");
            }
            return response;
        }, static ex => ex.ErrorCode is ErrorCode.NotController or ErrorCode.NetworkException, cancellationToken);

    private static bool HasNotController(IResponseMessage response) => response switch
    {
        CreateTopicsResponse r => r.Topics.Any(t => t.ErrorCode == (short)ErrorCode.NotController),
        DeleteTopicsResponse r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController),
        CreatePartitionsResponse r => r.Results.Any(t => t.ErrorCode == (short)ErrorCode.NotController),
        _ => false,
    };

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
