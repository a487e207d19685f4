using System.Buffers;
using Strom.Protocol.Messages;

namespace Strom.Protocol.Tests.Messages;

/// <summary>Hostile or broken input: an exception with an error code, or "incomplete", never a huge allocation.</summary>
public class MalformedInputTests
{
    private static IRequestMessage? Read(ApiKey key, short version, string hex)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Convert.FromHexString(hex)));
        return ApiMessages.ReadRequest(key, version, ref reader);
    }

    [Fact]
    public void Huge_array_length_with_little_data_is_incomplete_not_allocated()
    {
        Assert.Null(Read(ApiKey.Metadata, 1, "7fffffff0003666f6f"));
    }

    [Fact]
    public void Huge_compact_array_length_is_rejected()
    {
        // MetadataRequest v12 (flexible): topics length varint 0xffffffff -> count 4294967294.
        var e = Assert.Throws<ProtocolException>(() => Read(ApiKey.Metadata, 12, "ffffffff0f"));
        Assert.Equal(ErrorCode.InvalidRequest, e.ErrorCode);
    }

    [Fact]
    public void Negative_string_length_other_than_null_is_rejected()
    {
        // MetadataRequest v1: one topic whose name length is -2.
        var e = Assert.Throws<ProtocolException>(() => Read(ApiKey.Metadata, 1, "00000001fffe"));
        Assert.Equal(ErrorCode.InvalidRequest, e.ErrorCode);
    }

    [Fact]
    public void Null_for_a_non_nullable_string_is_rejected()
    {
        // MetadataRequest v1: topic name is not nullable before v10.
        Assert.Throws<ProtocolException>(() => Read(ApiKey.Metadata, 1, "00000001ffff"));
    }

    [Fact]
    public void Negative_array_length_other_than_null_is_rejected()
    {
        Assert.Throws<ProtocolException>(() => Read(ApiKey.Metadata, 1, "fffffffe"));
    }

    [Fact]
    public void Huge_string_length_with_little_data_is_incomplete()
    {
        Assert.Null(Read(ApiKey.Metadata, 1, "000000017fff6162"));
    }

    [Fact]
    public void Overlong_varint_is_rejected()
    {
        // ApiVersionsRequest v3: client_software_name length varint of six continuation bytes.
        Assert.Throws<ProtocolException>(() => Read(ApiKey.ApiVersions, 3, "808080808080"));
    }

    [Fact]
    public void Tagged_field_shorter_than_its_value_is_rejected()
    {
        // ApiVersionsResponse v3, tag 1 (int64 epoch) declared with size 2 although 8 bytes follow.
        var bytes = Convert.FromHexString("0000" + "01" + "00000000" + "01" + "0102" + "0000000000000005");
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            ApiMessages.ReadResponse(ApiKey.ApiVersions, 3, ref reader);
        });
    }

    [Fact]
    public void Unsupported_version_and_unknown_key_are_rejected()
    {
        Assert.Equal(ErrorCode.UnsupportedVersion, Assert.Throws<ProtocolException>(() => Read(ApiKey.Produce, 99, "")).ErrorCode);
        Assert.Throws<ProtocolException>(() => Read((ApiKey)9999, 0, ""));
        Assert.Throws<ProtocolException>(() => new ProduceRequest().Write(new ArrayBufferWriter<byte>(), 99));
    }

    [Fact]
    public void Random_bytes_never_escape_as_other_exceptions()
    {
        var random = new Random(1234);
        var buffer = new byte[64];
        foreach (var key in ApiMessages.All)
        {
            for (var v = ApiMessages.LowestVersion(key); v <= ApiMessages.HighestVersion(key); v++)
            {
                for (var i = 0; i < 20; i++)
                {
                    random.NextBytes(buffer);
                    try
                    {
                        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer));
                        ApiMessages.ReadRequest(key, v, ref reader);
                    }
                    catch (ProtocolException)
                    {
                    }
                }
            }
        }
    }
}
