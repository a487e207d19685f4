using System.Buffers.Binary;
using System.Text;
using Strom.Broker.Tests.Core;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;
using Strom.Testing;

namespace Strom.Broker.Tests;

/// <summary>
/// Hostile or broken input over raw TCP. Each test first stores a few records, sends the bad
/// input on its own connection, checks the broker's answer (an error code, or closing that
/// connection), then checks that the broker still serves a new client and still has the records.
/// </summary>
public sealed class BadInputTests
{
    private const string Canary = "canary";
    private const int CanaryRecords = 3;

    // Long enough that a healthy broker always answers or closes in time on a loaded machine;
    // it bounds a hang, it does not measure speed.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_length_prefix_of_2_pow_31_minus_1_closes_the_connection()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await bad.SendBytesAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 0 });
            Assert.True(await bad.IsClosedByPeerAsync(AnswerTimeout), "a 2 GiB request must be refused before it is read");
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_truncated_request_followed_by_a_close_is_forgotten()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            // Announces 100 bytes, sends the first 10 of an ApiVersions request, hangs up.
            await bad.SendBytesAsync(new byte[] { 0, 0, 0, 100, 0, 18, 0, 3, 0, 0, 0, 1, 0, 1 });
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task An_unknown_api_key_gets_an_answer_or_a_close_never_a_hang()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await bad.WriteFrameAsync(RequestHeaderV1(apiKey: 32000, version: 0, correlationId: 7));
            await AssertClosedOrAnsweredAsync(bad, correlationId: 7);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task An_unsupported_version_of_a_known_api_gets_an_answer_or_a_close_never_a_hang()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            // Metadata v999: like Kafka, the broker may close; a reply must at least carry the correlation id.
            await bad.WriteFrameAsync(RequestHeaderV1(apiKey: (short)ApiKey.Metadata, version: 999, correlationId: 8));
            await AssertClosedOrAnsweredAsync(bad, correlationId: 8);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task An_unsupported_ApiVersions_version_gets_a_v0_reply_with_UNSUPPORTED_VERSION_and_the_api_list()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            // KIP-511: the client may be newer than the broker; the reply is v0 so it can read it.
            byte[] request = [.. RequestHeaderV1(apiKey: (short)ApiKey.ApiVersions, version: 77, correlationId: 9), 1, 2, 3];
            await bad.WriteFrameAsync(request);
            var reply = await ReadFrameWithinAsync(bad);
            Assert.NotNull(reply);
            Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(reply));
            var body = reply.AsMemory(4);
            Assert.Equal((short)ErrorCode.UnsupportedVersion, BinaryPrimitives.ReadInt16BigEndian(body.Span));
            var count = BinaryPrimitives.ReadInt32BigEndian(body.Span[2..]);
            Assert.InRange(count, 1, 1000);
            Assert.Equal(2 + 4 + count * 6, body.Length);
            var keys = Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadInt16BigEndian(body.Span[(6 + i * 6)..])).ToList();
            Assert.Contains((short)ApiKey.Produce, keys);
            Assert.Contains((short)ApiKey.ApiVersions, keys);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_batch_with_a_corrupt_crc_gets_CORRUPT_MESSAGE_and_is_not_stored()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var topic = await Requests.EnsureTopicAsync(connection, "corrupt");
            var batch = Requests.Batch(2);
            batch[^1] ^= 0xff; // inside the CRC-covered part, CRC left as it was
            var response = await connection.SendAsync<ProduceResponse>(Requests.Produce("corrupt", 0, batch), 7);
            Assert.Equal((short)ErrorCode.CorruptMessage, response.Responses[0].PartitionResponses[0].ErrorCode);

            var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch("corrupt", topic.TopicId, 0, 0), 11);
            Assert.Equal(0, fetch.Responses[0].Partitions[0].HighWatermark);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_record_larger_than_the_message_size_limit_gets_MESSAGE_TOO_LARGE()
    {
        await using var broker = await StartWithCanaryAsync(new Dictionary<string, string> { ["message.max.bytes"] = "20000" });
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var topic = await Requests.EnsureTopicAsync(connection, "big");
            var value = new byte[50_000];
            new Random(42).NextBytes(value);
            using var builder = new RecordBatchBuilder();
            builder.Append(1_700_000_000_000, Encoding.UTF8.GetBytes("big"), value);
            var response = await connection.SendAsync<ProduceResponse>(Requests.Produce("big", 0, builder.ToArray()), 7);
            Assert.Equal((short)ErrorCode.MessageTooLarge, response.Responses[0].PartitionResponses[0].ErrorCode);

            var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch("big", topic.TopicId, 0, 0), 11);
            Assert.Equal(0, fetch.Responses[0].Partitions[0].HighWatermark);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task An_http_request_closes_the_connection()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            // "GET " read as a length prefix is 1.2 GB.
            await bad.SendBytesAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n"));
            Assert.True(await bad.IsClosedByPeerAsync(AnswerTimeout), "an HTTP request must be refused");
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_tls_client_hello_closes_the_connection()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var bad = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await bad.SendBytesAsync(TlsClientHello());
            Assert.True(await bad.IsClosedByPeerAsync(AnswerTimeout), "a TLS handshake on a plaintext listener must be refused");
        }
        await AssertStillServingAsync(broker);
    }

    // Found by the protocol fuzzer (Fuzz/FuzzTests.cs): each reduced to the request that broke the broker.

    [Fact]
    public async Task CreateTopics_with_2_pow_31_minus_1_partitions_gets_POLICY_VIOLATION_and_creates_nothing()
    {
        // Before: the broker opened partition logs until it ran out of file handles (1.9 GB allocated).
        await using var broker = await StartWithCanaryAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var request = new CreateTopicsRequest
            {
                Topics = [new CreateTopicsRequest.CreatableTopic { Name = "huge", NumPartitions = int.MaxValue, ReplicationFactor = 1 }],
                timeoutMs = 1000,
            };
            var response = await connection.SendAsync<CreateTopicsResponse>(request, 0);
            Assert.Equal((short)ErrorCode.PolicyViolation, Assert.Single(response.Topics).ErrorCode);

            var metadata = await connection.SendAsync<MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "huge" }], AllowAutoTopicCreation = false }, 12);
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, Assert.Single(metadata.Topics).ErrorCode);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task CreatePartitions_adding_more_than_10000_partitions_gets_POLICY_VIOLATION()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await Requests.EnsureTopicAsync(connection, "grow");
            var request = new CreatePartitionsRequest
            {
                Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "grow", Count = 10_002, Assignments = null }],
                TimeoutMs = 1000,
            };
            var response = await connection.SendAsync<CreatePartitionsResponse>(request, 3);
            Assert.Equal((short)ErrorCode.PolicyViolation, Assert.Single(response.Results).ErrorCode);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_topic_whose_partition_logs_cannot_be_created_is_rolled_back_with_KAFKA_STORAGE_ERROR()
    {
        // The fuzzer's CreateTopics with thousands of partitions ran out of file handles half-way and
        // left a topic whose later partitions had no log. A file where a partition directory must go
        // makes the same I/O failure happen on purpose.
        await using var broker = await StartWithCanaryAsync();
        var blocker = Path.Combine(broker.DataDirectory, "blocked-2");
        await File.WriteAllTextAsync(blocker, "not a directory");
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var create = new CreateTopicsRequest
            {
                Topics = [new CreateTopicsRequest.CreatableTopic { Name = "blocked", NumPartitions = 4, ReplicationFactor = 1 }],
                timeoutMs = 1000,
            };
            var failed = await connection.SendAsync<CreateTopicsResponse>(create, 5);
            Assert.Equal((short)ErrorCode.KafkaStorageError, Assert.Single(failed.Topics).ErrorCode);
            var metadata = await connection.SendAsync<MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "blocked" }], AllowAutoTopicCreation = false }, 12);
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, Assert.Single(metadata.Topics).ErrorCode);
            Assert.False(Directory.Exists(Path.Combine(broker.DataDirectory, "blocked-0")), "the partitions created before the failure must be removed");

            File.Delete(blocker);
            var created = await connection.SendAsync<CreateTopicsResponse>(create, 5);
            Assert.Equal(0, Assert.Single(created.Topics).ErrorCode);
            Assert.Equal(4, created.Topics[0].NumPartitions);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_compressed_batch_with_a_valid_crc_over_undecodable_records_gets_CORRUPT_MESSAGE_and_is_not_stored()
    {
        await using var broker = await StartWithCanaryAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            var topic = await Requests.EnsureTopicAsync(connection, "undecodable");
            var batch = Requests.Batch(3, compression: CompressionType.Gzip);
            // Garbage after the gzip header, then a CRC that matches the garbage.
            batch.AsSpan(RecordBatchHeader.Size + 10).Fill(0xA5);
            RestampCrc(batch);
            var response = await connection.SendAsync<ProduceResponse>(Requests.Produce("undecodable", 0, batch), 9);
            Assert.Equal((short)ErrorCode.CorruptMessage, response.Responses[0].PartitionResponses[0].ErrorCode);

            var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch("undecodable", topic.TopicId, 0, 0), 12);
            Assert.Equal(0, fetch.Responses[0].Partitions[0].HighWatermark);
        }
        await AssertStillServingAsync(broker);
    }

    [Fact]
    public async Task A_compressed_batch_declaring_more_records_than_it_holds_gets_INVALID_RECORD_and_ListOffsets_still_answers()
    {
        // Before: the batch was stored (only its CRC was checked), and ListOffsets for the max
        // timestamp then failed reading it back and closed every connection that asked.
        await using var broker = await StartWithCanaryAsync();
        await using (var connection = await KafkaTestConnection.ConnectAsync(broker.Port))
        {
            await Requests.EnsureTopicAsync(connection, "short-batch");
            var batch = Requests.Batch(2, compression: CompressionType.Lz4);
            BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordCountOffset), 3);
            BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 2);
            RestampCrc(batch);
            var response = await connection.SendAsync<ProduceResponse>(Requests.Produce("short-batch", 0, batch), 9);
            Assert.Equal((short)ErrorCode.InvalidRecord, response.Responses[0].PartitionResponses[0].ErrorCode);

            var listOffsets = new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics =
                [
                    new ListOffsetsRequest.ListOffsetsTopic
                    {
                        Name = "short-batch",
                        Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -3, CurrentLeaderEpoch = -1 }],
                    },
                ],
            };
            var offsets = await connection.SendAsync<ListOffsetsResponse>(listOffsets, 7);
            var partition = offsets.Topics[0].Partitions[0];
            Assert.Equal(0, partition.ErrorCode);
            Assert.Equal(-1, partition.Offset);
        }
        await AssertStillServingAsync(broker);
    }

    private static void RestampCrc(byte[] batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));

    private static async Task<StromBroker> StartWithCanaryAsync(IReadOnlyDictionary<string, string>? config = null)
    {
        var broker = await StromBroker.StartAsync(config);
        try
        {
            await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
            await Requests.EnsureTopicAsync(connection, Canary);
            var response = await connection.SendAsync<ProduceResponse>(Requests.Produce(Canary, 0, Requests.Batch(CanaryRecords)), 7);
            Assert.Equal(0, response.Responses[0].PartitionResponses[0].ErrorCode);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new client gets an ApiVersions answer and reads back the records stored before.</summary>
    private static async Task AssertStillServingAsync(StromBroker broker)
    {
        using var cts = new CancellationTokenSource(AnswerTimeout);
        await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port, cts.Token);
        var versions = await connection.SendAsync<ApiVersionsResponse>(
            new ApiVersionsRequest { ClientSoftwareName = "bad-input-tests", ClientSoftwareVersion = "1" }, 3, cts.Token);
        Assert.Equal(0, versions.ErrorCode);
        Assert.Contains(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.Fetch);

        var topic = await Requests.EnsureTopicAsync(connection, Canary);
        var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch(Canary, topic.TopicId, 0, 0), 11, cts.Token);
        var partition = fetch.Responses[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        var records = RecordBatchReader.ReadAllRecords(partition.Records!.Value);
        Assert.Equal(Enumerable.Range(0, CanaryRecords).Select(i => "k" + i), records.Select(r => Encoding.UTF8.GetString(r.Key!.Value.Span)));
    }

    private static async Task AssertClosedOrAnsweredAsync(KafkaTestConnection connection, int correlationId)
    {
        var reply = await ReadFrameWithinAsync(connection);
        if (reply is not null)
        {
            Assert.True(reply.Length >= 4, "a reply shorter than a response header");
            Assert.Equal(correlationId, BinaryPrimitives.ReadInt32BigEndian(reply));
        }
    }

    private static async Task<byte[]?> ReadFrameWithinAsync(KafkaTestConnection connection)
    {
        using var cts = new CancellationTokenSource(AnswerTimeout);
        try
        {
            return await connection.ReadFrameAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the broker neither answered nor closed the connection within {AnswerTimeout.TotalSeconds} s");
            throw;
        }
    }

    /// <summary>Request header v1: api key, version, correlation id, client id "bad".</summary>
    private static byte[] RequestHeaderV1(short apiKey, short version, int correlationId)
    {
        var header = new byte[2 + 2 + 4 + 2 + 3];
        BinaryPrimitives.WriteInt16BigEndian(header, apiKey);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(2), version);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), correlationId);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(8), 3);
        "bad"u8.CopyTo(header.AsSpan(10));
        return header;
    }

    /// <summary>The start of a TLS 1.2 ClientHello record, as a TLS client sends it first.</summary>
    private static byte[] TlsClientHello()
    {
        var hello = new List<byte> { 0x16, 0x03, 0x01, 0x00, 0x45, 0x01, 0x00, 0x00, 0x41, 0x03, 0x03 };
        hello.AddRange(Enumerable.Range(0, 32).Select(i => (byte)i)); // client random
        hello.AddRange(new byte[] { 0x00, 0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f, 0x01, 0x00, 0x00, 0x14 });
        hello.AddRange(new byte[20]);
        return [.. hello];
    }
}
