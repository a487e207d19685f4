using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Testing;
using static Strom.Broker.Tests.Handlers.Admin;

namespace Strom.Broker.Tests.Handlers;

public sealed class DeleteTopicsTests
{
    [Fact]
    public async Task Deletes_by_name_at_v0_and_by_id_at_v6_and_stays_deleted_after_restart()
    {
        await using var broker = await StromBroker.StartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await CreateAsync(connection, Topic("by-name"));
            var byId = await CreateAsync(connection, Topic("by-id"));
            await CreateAsync(connection, Topic("kept"));

            var v0 = await connection.SendAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["by-name"] }, 0);
            Assert.Equal(("by-name", (short)0), (v0.Responses[0].Name, v0.Responses[0].ErrorCode));

            var v6 = await connection.SendAsync<DeleteTopicsResponse>(
                new DeleteTopicsRequest { Topics = [new DeleteTopicsRequest.DeleteTopicState { TopicId = byId.TopicId }] }, 6);
            var result = Assert.Single(v6.Responses);
            Assert.Equal(("by-id", byId.TopicId, (short)0), (result.Name, result.TopicId, result.ErrorCode));
            Assert.Null(result.ErrorMessage);
            Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await MetadataAsync(connection, "by-id")).ErrorCode);
        }
        await broker.RestartAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await MetadataAsync(connection, "by-name")).ErrorCode);
            Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), (await MetadataAsync(connection, "by-id")).ErrorCode);
            Assert.Equal(0, (await MetadataAsync(connection, "kept")).ErrorCode);
        }
    }

    [Fact]
    public async Task Unknown_duplicate_and_ambiguous_entries_fail_on_their_own()
    {
        await using var broker = await StromBroker.StartAsync();
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        var created = await CreateAsync(connection, Topic("t"));
        var unknownId = Uuid.NewRandom();
        var request = new DeleteTopicsRequest
        {
            Topics =
            [
                new DeleteTopicsRequest.DeleteTopicState { Name = "missing" },
                new DeleteTopicsRequest.DeleteTopicState { TopicId = unknownId },
                new DeleteTopicsRequest.DeleteTopicState { Name = "t", TopicId = created.TopicId },
                new DeleteTopicsRequest.DeleteTopicState(),
                new DeleteTopicsRequest.DeleteTopicState { Name = "twice" },
                new DeleteTopicsRequest.DeleteTopicState { Name = "twice" },
            ],
        };
        var response = await connection.SendAsync<DeleteTopicsResponse>(request, 6);
        Assert.Equal(5, response.Responses.Count);
        Assert.Equal(Code(ErrorCode.UnknownTopicOrPartition), response.Responses.Single(r => r.Name == "missing").ErrorCode);
        Assert.Equal(Code(ErrorCode.UnknownTopicId), response.Responses.Single(r => r.TopicId == unknownId).ErrorCode);
        Assert.Equal("You may not specify both topic name and topic id.", response.Responses.Single(r => r.Name == "t").ErrorMessage);
        Assert.Equal("Neither topic name nor id were specified.", response.Responses.Single(r => r.Name is null && r.TopicId == Uuid.Zero).ErrorMessage);
        Assert.Equal("Duplicate topic name.", response.Responses.Single(r => r.Name == "twice").ErrorMessage);
        Assert.Equal(0, (await MetadataAsync(connection, "t")).ErrorCode);
    }

    [Fact]
    public async Task Disabled_deletion_is_refused_in_each_versions_terms()
    {
        await using var broker = await StromBroker.StartAsync(new Dictionary<string, string> { ["delete.topic.enable"] = "false" });
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
        await CreateAsync(connection, Topic("stays"));
        var v1 = await connection.SendAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["stays"] }, 1);
        Assert.Equal(Code(ErrorCode.InvalidRequest), v1.Responses[0].ErrorCode);
        var v5 = await connection.SendAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["stays"] }, 5);
        Assert.Equal(Code(ErrorCode.TopicDeletionDisabled), v5.Responses[0].ErrorCode);
        Assert.Equal(0, (await MetadataAsync(connection, "stays")).ErrorCode);
    }
}
