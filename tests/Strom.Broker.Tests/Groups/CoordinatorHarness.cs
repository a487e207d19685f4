using Microsoft.Extensions.Logging.Abstractions;
using Strom.Broker.Groups;
using Strom.Broker.Options;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Broker.Tests.Groups;

/// <summary>
/// A broker (not listening) on a temporary directory with a manual clock, for driving the group
/// coordinator directly. Reopen() starts a new broker on the same data, as a restart would.
/// </summary>
public sealed class CoordinatorHarness : IDisposable
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, string> _config;

    public CoordinatorHarness(Dictionary<string, string>? config = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "strom-groups-" + Guid.NewGuid().ToString("N")[..12]);
        _config = new Dictionary<string, string>
        {
            ["log.dirs"] = Directory,
            ["offsets.topic.num.partitions"] = "3",
            ["num.partitions"] = "4",
        };
        foreach (var (k, v) in config ?? [])
        {
            _config[k] = v;
        }
        Broker = Open();
    }

    public string Directory { get; }
    public ManualTimeProvider Time { get; } = new();
    public KafkaBroker Broker { get; private set; }
    public GroupCoordinator Groups => Broker.Groups;

    private KafkaBroker Open()
    {
        var broker = new KafkaBroker(new BrokerConfig(_config), NullLoggerFactory.Instance, Time);
        broker.Start();
        return broker;
    }

    public void Reopen()
    {
        Broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Broker = Open();
    }

    public void CreateTopic(string name, int partitions) =>
        Assert.Equal(ErrorCode.None, Broker.Topics.Create(name, partitions, 1, new Dictionary<string, string?>(), validateOnly: false).Error);

    public static JoinGroupRequest JoinRequest(string group, string memberId = "", string? instanceId = null,
        int sessionTimeoutMs = 10_000, int rebalanceTimeoutMs = 30_000, string protocolType = "consumer", params (string Name, byte[] Metadata)[] protocols)
    {
        var request = new JoinGroupRequest
        {
            GroupId = group,
            MemberId = memberId,
            GroupInstanceId = instanceId,
            SessionTimeoutMs = sessionTimeoutMs,
            RebalanceTimeoutMs = rebalanceTimeoutMs,
            ProtocolType = protocolType,
        };
        foreach (var (name, metadata) in protocols.Length > 0 ? protocols : [("range", [1, 2, 3])])
        {
            request.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = name, Metadata = metadata });
        }
        return request;
    }

    public Task<JoinGroupResponse> Join(JoinGroupRequest request, short version = 5, string clientId = "client") =>
        Groups.JoinGroupAsync(request, version, clientId, "/127.0.0.1");

    /// <summary>A v5 member's first join: MEMBER_ID_REQUIRED, then the join with the handed-out id (still pending).</summary>
    public async Task<(string MemberId, Task<JoinGroupResponse> Join)> JoinNew(string group, params (string Name, byte[] Metadata)[] protocols)
    {
        var first = await Join(JoinRequest(group, protocols: protocols)).WaitAsync(Safety);
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        Assert.NotEmpty(first.MemberId);
        return (first.MemberId, Join(JoinRequest(group, first.MemberId, protocols: protocols)));
    }

    public Task<SyncGroupResponse> Sync(string group, string memberId, int generation, params (string MemberId, byte[] Assignment)[] assignments)
    {
        var request = new SyncGroupRequest { GroupId = group, MemberId = memberId, GenerationId = generation };
        foreach (var (m, a) in assignments)
        {
            request.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = m, Assignment = a });
        }
        return Groups.SyncGroupAsync(request);
    }

    public static async Task<T> Done<T>(Task<T> task) => await task.WaitAsync(Safety);

    public void Dispose()
    {
        Broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
