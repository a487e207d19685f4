using Strom.Broker.Network;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Handlers;

/// <summary>
/// The one dispatch switch: from a parsed request to its handler. The version table here is
/// exactly what ApiVersions advertises; each handler declares its own range.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly ApiVersionsHandler _apiVersions;
    private readonly MetadataHandler _metadata;
    private readonly ProduceHandler _produce;
    private readonly FetchHandler _fetch;
    private readonly ListOffsetsHandler _listOffsets;
    private readonly FindCoordinatorHandler _findCoordinator;
    private readonly JoinGroupHandler _joinGroup;
    private readonly SyncGroupHandler _syncGroup;
    private readonly HeartbeatHandler _heartbeat;
    private readonly LeaveGroupHandler _leaveGroup;
    private readonly OffsetCommitHandler _offsetCommit;
    private readonly OffsetFetchHandler _offsetFetch;
    private readonly ListGroupsHandler _listGroups;
    private readonly DescribeGroupsHandler _describeGroups;
    private readonly DeleteGroupsHandler _deleteGroups;
    private readonly OffsetDeleteHandler _offsetDelete;
    private readonly InitProducerIdHandler _initProducerId;
    private readonly CreateTopicsHandler _createTopics;
    private readonly DeleteTopicsHandler _deleteTopics;
    private readonly DeleteRecordsHandler _deleteRecords;
    private readonly DescribeConfigsHandler _describeConfigs;
    private readonly AlterConfigsHandler _alterConfigs;
    private readonly DescribeLogDirsHandler _describeLogDirs;
    private readonly CreatePartitionsHandler _createPartitions;
    private readonly ElectLeadersHandler _electLeaders;
    private readonly IncrementalAlterConfigsHandler _incrementalAlterConfigs;
    private readonly DescribeClusterHandler _describeCluster;
    private readonly SaslHandshakeHandler _saslHandshake = new();
    private readonly SaslAuthenticateHandler _saslAuthenticate = new();
    private readonly DescribeUserScramCredentialsHandler _describeUserScramCredentials;
    private readonly AlterUserScramCredentialsHandler _alterUserScramCredentials;
    private readonly Dictionary<ApiKey, (short Min, short Max)> _versions;

    public RequestDispatcher(KafkaBroker broker)
    {
        _apiVersions = new ApiVersionsHandler(this);
        _metadata = new MetadataHandler(broker);
        _produce = new ProduceHandler(broker);
        _fetch = new FetchHandler(broker);
        _listOffsets = new ListOffsetsHandler(broker);
        _findCoordinator = new FindCoordinatorHandler(broker);
        _joinGroup = new JoinGroupHandler(broker);
        _syncGroup = new SyncGroupHandler(broker);
        _heartbeat = new HeartbeatHandler(broker);
        _leaveGroup = new LeaveGroupHandler(broker);
        _offsetCommit = new OffsetCommitHandler(broker);
        _offsetFetch = new OffsetFetchHandler(broker);
        _listGroups = new ListGroupsHandler(broker);
        _describeGroups = new DescribeGroupsHandler(broker);
        _deleteGroups = new DeleteGroupsHandler(broker);
        _offsetDelete = new OffsetDeleteHandler(broker);
        _initProducerId = new InitProducerIdHandler(broker);
        _createTopics = new CreateTopicsHandler(broker);
        _deleteTopics = new DeleteTopicsHandler(broker);
        _deleteRecords = new DeleteRecordsHandler(broker);
        _describeConfigs = new DescribeConfigsHandler(broker);
        _alterConfigs = new AlterConfigsHandler(broker);
        _describeLogDirs = new DescribeLogDirsHandler(broker);
        _createPartitions = new CreatePartitionsHandler(broker);
        _electLeaders = new ElectLeadersHandler(broker);
        _incrementalAlterConfigs = new IncrementalAlterConfigsHandler(broker);
        _describeCluster = new DescribeClusterHandler(broker);
        _describeUserScramCredentials = new DescribeUserScramCredentialsHandler(broker);
        _alterUserScramCredentials = new AlterUserScramCredentialsHandler(broker);
        _versions = new Dictionary<ApiKey, (short, short)>
        {
            [ApiKey.Produce] = (ProduceHandler.MinVersion, ProduceHandler.MaxVersion),
            [ApiKey.Fetch] = (FetchHandler.MinVersion, FetchHandler.MaxVersion),
            [ApiKey.ListOffsets] = (ListOffsetsHandler.MinVersion, ListOffsetsHandler.MaxVersion),
            [ApiKey.Metadata] = (MetadataHandler.MinVersion, MetadataHandler.MaxVersion),
            [ApiKey.ApiVersions] = (ApiVersionsHandler.MinVersion, ApiVersionsHandler.MaxVersion),
            [ApiKey.FindCoordinator] = (FindCoordinatorHandler.MinVersion, FindCoordinatorHandler.MaxVersion),
            [ApiKey.JoinGroup] = (JoinGroupHandler.MinVersion, JoinGroupHandler.MaxVersion),
            [ApiKey.SyncGroup] = (SyncGroupHandler.MinVersion, SyncGroupHandler.MaxVersion),
            [ApiKey.Heartbeat] = (HeartbeatHandler.MinVersion, HeartbeatHandler.MaxVersion),
            [ApiKey.LeaveGroup] = (LeaveGroupHandler.MinVersion, LeaveGroupHandler.MaxVersion),
            [ApiKey.OffsetCommit] = (OffsetCommitHandler.MinVersion, OffsetCommitHandler.MaxVersion),
            [ApiKey.OffsetFetch] = (OffsetFetchHandler.MinVersion, OffsetFetchHandler.MaxVersion),
            [ApiKey.ListGroups] = (ListGroupsHandler.MinVersion, ListGroupsHandler.MaxVersion),
            [ApiKey.DescribeGroups] = (DescribeGroupsHandler.MinVersion, DescribeGroupsHandler.MaxVersion),
            [ApiKey.DeleteGroups] = (DeleteGroupsHandler.MinVersion, DeleteGroupsHandler.MaxVersion),
            [ApiKey.OffsetDelete] = (OffsetDeleteHandler.MinVersion, OffsetDeleteHandler.MaxVersion),
            [ApiKey.InitProducerId] = (InitProducerIdHandler.MinVersion, InitProducerIdHandler.MaxVersion),
            [ApiKey.CreateTopics] = (CreateTopicsHandler.MinVersion, CreateTopicsHandler.MaxVersion),
            [ApiKey.DeleteTopics] = (DeleteTopicsHandler.MinVersion, DeleteTopicsHandler.MaxVersion),
            [ApiKey.DeleteRecords] = (DeleteRecordsHandler.MinVersion, DeleteRecordsHandler.MaxVersion),
            [ApiKey.DescribeConfigs] = (DescribeConfigsHandler.MinVersion, DescribeConfigsHandler.MaxVersion),
            [ApiKey.AlterConfigs] = (AlterConfigsHandler.MinVersion, AlterConfigsHandler.MaxVersion),
            [ApiKey.DescribeLogDirs] = (DescribeLogDirsHandler.MinVersion, DescribeLogDirsHandler.MaxVersion),
            [ApiKey.CreatePartitions] = (CreatePartitionsHandler.MinVersion, CreatePartitionsHandler.MaxVersion),
            [ApiKey.ElectLeaders] = (ElectLeadersHandler.MinVersion, ElectLeadersHandler.MaxVersion),
            [ApiKey.IncrementalAlterConfigs] = (IncrementalAlterConfigsHandler.MinVersion, IncrementalAlterConfigsHandler.MaxVersion),
            [ApiKey.DescribeCluster] = (DescribeClusterHandler.MinVersion, DescribeClusterHandler.MaxVersion),
            [ApiKey.SaslHandshake] = (SaslHandshakeHandler.MinVersion, SaslHandshakeHandler.MaxVersion),
            [ApiKey.SaslAuthenticate] = (SaslAuthenticateHandler.MinVersion, SaslAuthenticateHandler.MaxVersion),
            [ApiKey.DescribeUserScramCredentials] = (DescribeUserScramCredentialsHandler.MinVersion, DescribeUserScramCredentialsHandler.MaxVersion),
            [ApiKey.AlterUserScramCredentials] = (AlterUserScramCredentialsHandler.MinVersion, AlterUserScramCredentialsHandler.MaxVersion),
        };
        Advertised = _versions.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Min, kv.Value.Max)).ToArray();
    }

    /// <summary>Every served key with its version range, in key order.</summary>
    public IReadOnlyList<(ApiKey Key, short Min, short Max)> Advertised { get; }

    public (short Min, short Max)? SupportedVersions(ApiKey key) => _versions.TryGetValue(key, out var range) ? range : null;

    public ApiVersionsResponse UnsupportedApiVersionsResponse() => _apiVersions.Build(ErrorCode.UnsupportedVersion);

    public async ValueTask<IResponseMessage?> DispatchAsync(RequestContext context, IRequestMessage request) => request switch
    {
        ProduceRequest r => _produce.Handle(context, r),
        FetchRequest r => await _fetch.HandleAsync(context, r).ConfigureAwait(false),
        ListOffsetsRequest r => _listOffsets.Handle(context, r),
        MetadataRequest r => _metadata.Handle(context, r),
        ApiVersionsRequest r => _apiVersions.Handle(context, r),
        FindCoordinatorRequest r => _findCoordinator.Handle(context, r),
        JoinGroupRequest r => await _joinGroup.HandleAsync(context, r).ConfigureAwait(false),
        SyncGroupRequest r => await _syncGroup.HandleAsync(context, r).ConfigureAwait(false),
        HeartbeatRequest r => _heartbeat.Handle(context, r),
        LeaveGroupRequest r => _leaveGroup.Handle(context, r),
        OffsetCommitRequest r => _offsetCommit.Handle(context, r),
        OffsetFetchRequest r => _offsetFetch.Handle(context, r),
        ListGroupsRequest r => _listGroups.Handle(context, r),
        DescribeGroupsRequest r => _describeGroups.Handle(context, r),
        DeleteGroupsRequest r => _deleteGroups.Handle(context, r),
        OffsetDeleteRequest r => _offsetDelete.Handle(context, r),
        InitProducerIdRequest r => _initProducerId.Handle(context, r),
        CreateTopicsRequest r => _createTopics.Handle(context, r),
        DeleteTopicsRequest r => _deleteTopics.Handle(context, r),
        DeleteRecordsRequest r => _deleteRecords.Handle(context, r),
        DescribeConfigsRequest r => _describeConfigs.Handle(context, r),
        AlterConfigsRequest r => _alterConfigs.Handle(context, r),
        DescribeLogDirsRequest r => _describeLogDirs.Handle(context, r),
        CreatePartitionsRequest r => _createPartitions.Handle(context, r),
        ElectLeadersRequest r => _electLeaders.Handle(context, r),
        IncrementalAlterConfigsRequest r => _incrementalAlterConfigs.Handle(context, r),
        DescribeClusterRequest r => _describeCluster.Handle(context, r),
        SaslHandshakeRequest r => _saslHandshake.Handle(context, r),
        SaslAuthenticateRequest r => _saslAuthenticate.Handle(context, r),
        DescribeUserScramCredentialsRequest r => _describeUserScramCredentials.Handle(context, r),
        AlterUserScramCredentialsRequest r => _alterUserScramCredentials.Handle(context, r),
        _ => throw new ProtocolException(ErrorCode.UnsupportedVersion, $"{request.ApiKey} is not served"),
    };
}
