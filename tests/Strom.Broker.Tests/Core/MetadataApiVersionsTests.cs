using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;

namespace Strom.Broker.Tests.Core;

public sealed class MetadataApiVersionsTests
{
    [Theory]
    [InlineData((short)0)]
    [InlineData((short)1)]
    [InlineData((short)3)]
    [InlineData((short)4)]
    public async Task ApiVersions_lists_the_served_keys_at_every_version(short version)
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var response = await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, version);
        Assert.Equal(0, response.ErrorCode);
        var produce = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.Produce);
        Assert.Equal(0, produce.MinVersion);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == (short)ApiKey.Fetch);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions && k.MaxVersion == 4);
    }

    [Fact]
    public async Task An_unknown_ApiVersions_version_is_answered_in_v0_with_UNSUPPORTED_VERSION()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        // Header v2 request for ApiVersions v9 with a body we cannot know.
        var frame = new byte[] { 0, 18, 0, 9, 0, 0, 0, 42, 0, 1, (byte)'x', 0, 7, 7, 7 };
        await connection.WriteFrameAsync(frame);
        var reply = await connection.ReadFrameAsync();
        Assert.NotNull(reply);
        Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(reply));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(reply.AsMemory(4)));
        Assert.True(ApiVersionsResponse.TryRead(ref reader, 0, out var body));
        Assert.Equal((short)ErrorCode.UnsupportedVersion, body.ErrorCode);
        Assert.NotEmpty(body.ApiKeys);
    }

    [Fact]
    public async Task Metadata_auto_creates_and_lists_topics_at_every_version()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "3" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        for (short v = 0; v <= 12; v++)
        {
            var response = await connection.SendAsync<MetadataResponse>(Requests.Metadata($"auto-{v}"), v);
            var topic = Assert.Single(response.Topics);
            Assert.Equal(0, topic.ErrorCode);
            Assert.Equal(3, topic.Partitions.Count);
            var node = Assert.Single(response.Brokers);
            Assert.Equal(broker.Port, node.Port);
            Assert.Equal("127.0.0.1", node.Host);
        }
        var all = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 9);
        Assert.Equal(13, all.Topics.Count);
        var allV0 = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 0);
        Assert.Equal(13, allV0.Topics.Count);
        var none = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 9);
        Assert.Empty(none.Topics);
    }

    [Fact]
    public async Task Metadata_respects_the_auto_create_flag_and_rejects_bad_names()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var request = Requests.Metadata("no-create");
        request.AllowAutoTopicCreation = false;
        var response = await connection.SendAsync<MetadataResponse>(request, 9);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[0].ErrorCode);
        var bad = await connection.SendAsync<MetadataResponse>(Requests.Metadata("bad name!"), 9);
        Assert.Equal((short)ErrorCode.InvalidTopicException, bad.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task Auto_creation_off_in_the_broker_wins()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var response = await connection.SendAsync<MetadataResponse>(Requests.Metadata("x"), 1);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[0].ErrorCode);
    }
}
