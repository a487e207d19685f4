using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Strom.Protocol;
using Strom.Protocol.Messages;

namespace Strom.Benchmarks.Load;

/// <summary>
/// Creates a topic on a broker that auto-creates topics (num.partitions decides the width) with
/// a Metadata v1 request, and checks the partition count. Speaks the protocol directly, so it
/// needs neither CreateTopics nor an admin client. (The mock cluster's topics are created by
/// <see cref="MockCluster"/> instead: over the wire it only ever makes 4 partitions.)
/// </summary>
internal static class TopicSetup
{
    private const short MetadataVersion = 1;

    public static int Run(Options options)
    {
        var (host, port) = ParseBootstrap(options.String("bootstrap"));
        var topic = options.String("topic");
        var partitions = options.Int("partitions", 8);
        using var client = new TcpClient(host, port) { NoDelay = true };
        using var stream = client.GetStream();
        var correlation = 0;

        for (var attempt = 0; attempt < 50; attempt++)
        {
            var metadata = new MetadataRequest
            {
                Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }],
                AllowAutoTopicCreation = true,
            };
            Send(stream, ApiKey.Metadata, MetadataVersion, ++correlation, metadata);
            var frame = new ReadOnlySequence<byte>(ReadFrame(stream));
            var reader = new SequenceReader<byte>(frame);
            reader.Advance(4); // response header v0: correlation id
            if (!MetadataResponse.TryRead(ref reader, MetadataVersion, out var response))
            {
                throw new InvalidOperationException("truncated Metadata response");
            }
            var found = response.Topics.FirstOrDefault(t => t.Name == topic);
            if (found is { ErrorCode: 0 } && found.Partitions.Count > 0 && found.Partitions.All(p => p.LeaderId >= 0))
            {
                Console.WriteLine($"RESULT topic={topic} partitions={found.Partitions.Count}");
                if (found.Partitions.Count != partitions)
                {
                    Console.Error.WriteLine($"strom-load: {topic} has {found.Partitions.Count} partitions, wanted {partitions}");
                    return 1;
                }
                return 0;
            }
            Thread.Sleep(100);
        }
        Console.Error.WriteLine($"strom-load: {topic} did not become available");
        return 1;
    }

    internal static (string Host, int Port) ParseBootstrap(string bootstrap)
    {
        var first = bootstrap.Split(',')[0];
        var colon = first.LastIndexOf(':');
        return colon < 0 ? (first, 9092) : (first[..colon], int.Parse(first[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Send(NetworkStream stream, ApiKey key, short version, int correlationId, IRequestMessage body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.GetSpan(4);
        buffer.Advance(4);
        new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "strom-load" }
            .Write(buffer, ApiMessages.RequestHeaderVersion(key, version));
        body.Write(buffer, version);
        var bytes = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
        stream.Write(bytes);
    }

    private static byte[] ReadFrame(NetworkStream stream)
    {
        Span<byte> prefix = stackalloc byte[4];
        stream.ReadExactly(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size is < 4 or > 64 << 20)
        {
            throw new InvalidOperationException($"response size {size} out of range");
        }
        var frame = new byte[size];
        stream.ReadExactly(frame);
        return frame;
    }
}
