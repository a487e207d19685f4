using System.Buffers;
using Strom.Protocol.Messages;

namespace Strom.Protocol.Tests.Messages;

/// <summary>
/// Byte layouts derived by hand from the protocol guide, field by field, so that the generator
/// cannot agree with itself on a wrong encoding.
/// </summary>
public class GoldenBytesTests
{
    private static byte[] Hex(params string[] parts) => Convert.FromHexString(string.Concat(parts).Replace(" ", "", StringComparison.Ordinal));

    private static byte[] Frame(RequestHeader header, short headerVersion, IKafkaMessage body, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        header.Write(buffer, headerVersion);
        body.Write(buffer, version);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void ApiVersionsRequest_v0_with_header_v1()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 0, CorrelationId = 1, ClientId = "ab" };
        Assert.Equal(1, ApiMessages.RequestHeaderVersion(ApiKey.ApiVersions, 0));
        var expected = Hex(
            "0012",        // request_api_key 18 (int16)
            "0000",        // request_api_version 0
            "00000001",    // correlation_id 1 (int32)
            "0002 6162");  // client_id "ab": int16 length + UTF-8; the v0 body is empty
        Assert.Equal(expected, Frame(header, 1, new ApiVersionsRequest(), 0));
    }

    [Fact]
    public void ApiVersionsRequest_v3_with_flexible_header_v2()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 7, ClientId = "ab" };
        var body = new ApiVersionsRequest { ClientSoftwareName = "kt", ClientSoftwareVersion = "1.0" };
        Assert.Equal(2, ApiMessages.RequestHeaderVersion(ApiKey.ApiVersions, 3));
        var expected = Hex(
            "0012",         // request_api_key 18
            "0003",         // request_api_version 3
            "00000007",     // correlation_id 7
            "0002 6162",    // client_id stays a non-compact int16-length string even in header v2
            "00",           // header tagged fields: none
            "03 6b74",      // client_software_name: compact string, varint length+1 = 3, "kt"
            "04 312e30",    // client_software_version: compact string "1.0"
            "00");          // body tagged fields: none
        Assert.Equal(expected, Frame(header, 2, body, 3));

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(expected));
        Assert.True(RequestHeader.TryRead(ref reader, 2, out var readHeader));
        Assert.Equal("ab", readHeader.ClientId);
        var readBody = Assert.IsType<ApiVersionsRequest>(ApiMessages.ReadRequest(ApiKey.ApiVersions, 3, ref reader));
        Assert.Equal("kt", readBody.ClientSoftwareName);
        Assert.Equal("1.0", readBody.ClientSoftwareVersion);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void MetadataRequest_v1_with_one_topic()
    {
        var body = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "foo" }] };
        var expected = Hex(
            "00000001",      // topics: int32 array length 1
            "0003 666f6f");  // name "foo" (int16 length); no topic_id before v10, no auto-create flag before v4
        Assert.Equal(expected, MessageCodec.Write(body, 1));
    }

    [Fact]
    public void MetadataRequest_v1_null_topics_means_all_topics()
    {
        Assert.Equal(Hex("ffffffff"), MessageCodec.Write(new MetadataRequest { Topics = null }, 1));
        // v0 has no null: an empty array is written instead.
        Assert.Equal(Hex("00000000"), MessageCodec.Write(new MetadataRequest { Topics = null }, 0));
    }

    [Fact]
    public void ProduceRequest_v3()
    {
        var body = new ProduceRequest
        {
            TransactionalId = null,
            Acks = -1,
            TimeoutMs = 30000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = "t",
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new byte[] { 0xAA, 0xBB, 0xCC } }],
                },
            ],
        };
        var expected = Hex(
            "ffff",           // transactional_id: nullable string, null = length -1
            "ffff",           // acks -1 (int16)
            "00007530",       // timeout_ms 30000 (int32)
            "00000001",       // topic_data: array length 1
            "0001 74",        // name "t"
            "00000001",       // partition_data: array length 1
            "00000000",       // index 0
            "00000003 aabbcc"); // records: int32 length + raw batch bytes
        Assert.Equal(expected, MessageCodec.Write(body, 3));

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(expected));
        var read = Assert.IsType<ProduceRequest>(ApiMessages.ReadRequest(ApiKey.Produce, 3, ref reader));
        Assert.Null(read.TransactionalId);
        Assert.Equal(-1, read.Acks);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, read.TopicData[0].PartitionData[0].Records!.Value.ToArray());
    }

    [Fact]
    public void ApiVersionsResponse_v3_with_tagged_fields()
    {
        var body = new ApiVersionsResponse
        {
            ErrorCode = 0,
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 0, MinVersion = 0, MaxVersion = 11 }],
            ThrottleTimeMs = 0,
            FinalizedFeaturesEpoch = 5,
            ZkMigrationReady = true,
        };
        var expected = Hex(
            "0000",                 // error_code 0
            "02",                   // api_keys: compact array, varint count+1 = 2
            "0000 0000 000b 00",    // api_key 0, min 0, max 11, element tagged fields: none
            "00000000",             // throttle_time_ms 0
            "02",                   // two tagged fields, in tag order:
            "01 08 0000000000000005", // tag 1 finalized_features_epoch: size 8, int64 5
            "03 01 01");            // tag 3 zk_migration_ready: size 1, true
        Assert.Equal(expected, MessageCodec.Write(body, 3));
        Assert.Equal(0, ApiMessages.ResponseHeaderVersion(ApiKey.ApiVersions, 3));

        var read = (ApiVersionsResponse)MessageCodec.Read(typeof(ApiVersionsResponse), new ReadOnlySequence<byte>(expected), 3, out _)!;
        Assert.Equal(5, read.FinalizedFeaturesEpoch);
        Assert.True(read.ZkMigrationReady);
        Assert.Equal(11, read.ApiKeys[0].MaxVersion);
    }

    [Fact]
    public void Nullable_struct_uses_a_presence_byte()
    {
        var response = new ConsumerGroupHeartbeatResponse { Assignment = null };
        var bytes = MessageCodec.Write(response, 0);
        // throttle 0, error 0, error_message null (compact 00), member_id null, epoch 0, interval 0, assignment -1, tags 0
        Assert.Equal(Hex("00000000", "0000", "00", "00", "00000000", "00000000", "ff", "00"), bytes);
    }
}
