using System.Buffers;
using Strom.Protocol.Messages;

namespace Strom.Protocol.Tests.Messages;

/// <summary>Every generated message at every version: write, read, write again, byte for byte.</summary>
public class RoundTripTests
{
    public static TheoryData<string, short> AllVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (var type in MessageCodec.AllMessageTypes())
        {
            for (var v = MessageCodec.Const(type, "LowestVersion"); v <= MessageCodec.Const(type, "HighestVersion"); v++)
            {
                data.Add(type.FullName!, v);
            }
        }
        return data;
    }

    public static TheoryData<string, short> RequestVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (var type in MessageCodec.AllMessageTypes().Where(t => typeof(IRequestMessage).IsAssignableFrom(t)))
        {
            for (var v = MessageCodec.Const(type, "LowestVersion"); v <= MessageCodec.Const(type, "HighestVersion"); v++)
            {
                data.Add(type.FullName!, v);
            }
        }
        return data;
    }

    [Fact]
    public void Every_api_key_has_a_request_and_a_response()
    {
        var types = MessageCodec.AllMessageTypes().ToList();
        Assert.True(types.Count >= 240, $"only {types.Count} generated types");
        foreach (var key in ApiMessages.All)
        {
            Assert.Contains(types, t => t.Name == key + "Request" && typeof(IRequestMessage).IsAssignableFrom(t));
            Assert.Contains(types, t => t.Name == key + "Response" && typeof(IResponseMessage).IsAssignableFrom(t));
        }
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Sample_round_trips_byte_identically(string typeName, short version)
    {
        var type = typeof(IKafkaMessage).Assembly.GetType(typeName)!;
        var sample = (IKafkaMessage)SampleFiller.Create(type);
        var first = MessageCodec.Write(sample, version);

        var read = MessageCodec.Read(type, new ReadOnlySequence<byte>(first), version, out var consumed);
        Assert.NotNull(read);
        Assert.Equal(first.Length, consumed);
        Assert.Equal(first, MessageCodec.Write(read, version));

        // The same bytes split across 3-byte segments read the same.
        var segmented = MessageCodec.Read(type, MessageCodec.Segmented(first, 3), version, out consumed);
        Assert.NotNull(segmented);
        Assert.Equal(first.Length, consumed);
        Assert.Equal(first, MessageCodec.Write(segmented, version));
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Default_message_round_trips(string typeName, short version)
    {
        var type = typeof(IKafkaMessage).Assembly.GetType(typeName)!;
        var message = (IKafkaMessage)Activator.CreateInstance(type)!;
        var first = MessageCodec.Write(message, version);
        var read = MessageCodec.Read(type, new ReadOnlySequence<byte>(first), version, out var consumed);
        Assert.NotNull(read);
        Assert.Equal(first.Length, consumed);
        Assert.Equal(first, MessageCodec.Write(read, version));
    }

    [Theory]
    [MemberData(nameof(RequestVersions))]
    public void Every_incomplete_prefix_of_a_request_is_incomplete(string typeName, short version)
    {
        var type = typeof(IKafkaMessage).Assembly.GetType(typeName)!;
        var request = (IRequestMessage)SampleFiller.Create(type);
        var bytes = MessageCodec.Write(request, version);
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            var message = ApiMessages.ReadRequest(request.ApiKey, version, ref reader);
            Assert.Null(message);
            Assert.Equal(0, reader.Consumed);
        }
        var full = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.IsType(type, ApiMessages.ReadRequest(request.ApiKey, version, ref full));
    }

    [Fact]
    public void Unknown_tagged_fields_are_kept_in_tag_order_after_known_ones()
    {
        var response = new ApiVersionsResponse
        {
            ZkMigrationReady = true,
            UnknownTaggedFields = [new(4, [0x07]), new(9, [0x08, 0x09])],
        };
        var bytes = MessageCodec.Write(response, 3);
        // ErrorCode, empty ApiKeys, ThrottleTimeMs, then 3 tagged fields: 3 (known), 4, 9.
        Assert.Equal(Convert.FromHexString("0000" + "01" + "00000000" + "03" + "030101" + "040107" + "09020809"), bytes);
        var read = (ApiVersionsResponse)MessageCodec.Read(typeof(ApiVersionsResponse), new ReadOnlySequence<byte>(bytes), 3, out _)!;
        Assert.True(read.ZkMigrationReady);
        Assert.Equal([4u, 9u], read.UnknownTaggedFields!.Select(f => f.Tag));
    }
}
