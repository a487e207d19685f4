using System.Buffers;
using Strom.Protocol.Messages;
using Strom.Protocol.Primitives;

namespace Strom.Protocol.Tests.Messages;

public class PrimitiveTests
{
    [Fact]
    public void Uuid_prints_as_url_safe_base64_without_padding()
    {
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", Uuid.Zero.ToString());
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAQ", Uuid.One.ToString());
        var uuid = new Uuid(unchecked((long)0xFBFFFFFFFFFFFFFF), -1);
        Assert.Equal("-" + new string('_', 20) + "w", uuid.ToString());
        Assert.Equal(uuid, Uuid.Parse(uuid.ToString()));
        Assert.Throws<FormatException>(() => Uuid.Parse("not a uuid"));
    }

    [Fact]
    public void Random_uuids_are_distinct_and_never_start_with_a_dash()
    {
        var seen = new HashSet<Uuid>();
        for (var i = 0; i < 200; i++)
        {
            var uuid = Uuid.NewRandom();
            Assert.NotEqual(Uuid.Zero, uuid);
            Assert.False(uuid.ToString().StartsWith('-'));
            Assert.True(seen.Add(uuid));
            Assert.Equal(uuid, Uuid.Parse(uuid.ToString()));
        }
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7f")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "ac02")]
    [InlineData(uint.MaxValue, "ffffffff0f")]
    public void Unsigned_varint_round_trips(uint value, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ProtocolWriter.WriteUnsignedVarInt(buffer, value);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer.WrittenSpan));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.True(ProtocolReader.TryReadUnsignedVarInt(ref reader, out var read));
        Assert.Equal(value, read);
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(int.MinValue, "ffffffff0f")]
    public void Zigzag_varint_round_trips(int value, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ProtocolWriter.WriteVarInt(buffer, value);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer.WrittenSpan));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.True(ProtocolReader.TryReadVarInt(ref reader, out var read));
        Assert.Equal(value, read);
    }

    [Fact]
    public void Varlong_over_ten_bytes_is_rejected()
    {
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Convert.FromHexString("8080808080808080808001")));
            ProtocolReader.TryReadVarLong(ref reader, out _);
        });
    }

    [Fact]
    public void Strings_and_bytes_encode_compact_and_classic_lengths()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ProtocolWriter.WriteString(buffer, "hi", compact: false, nullable: false);
        ProtocolWriter.WriteString(buffer, null, compact: false, nullable: true);
        ProtocolWriter.WriteString(buffer, "hi", compact: true, nullable: false);
        ProtocolWriter.WriteString(buffer, null, compact: true, nullable: true);
        ProtocolWriter.WriteNullableBytes(buffer, [7], compact: false, nullable: false);
        ProtocolWriter.WriteNullableBytes(buffer, null, compact: true, nullable: true);
        Assert.Equal("00026869" + "ffff" + "036869" + "00" + "0000000107" + "00", Convert.ToHexStringLower(buffer.WrittenSpan));

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.True(ProtocolReader.TryReadString(ref reader, false, false, out var a));
        Assert.True(ProtocolReader.TryReadString(ref reader, false, true, out var b));
        Assert.True(ProtocolReader.TryReadString(ref reader, true, false, out var c));
        Assert.True(ProtocolReader.TryReadString(ref reader, true, true, out var d));
        Assert.True(ProtocolReader.TryReadBytes(ref reader, false, false, out var e));
        Assert.True(ProtocolReader.TryReadBytes(ref reader, true, true, out var f));
        Assert.Equal(("hi", (string?)null, "hi", (string?)null), (a, b, c, d));
        Assert.Equal(new byte[] { 7 }, e);
        Assert.Null(f);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Header_versions_follow_the_flexible_rules()
    {
        Assert.Equal(0, ApiMessages.RequestHeaderVersion(ApiKey.ControlledShutdown, 0));
        Assert.Equal(1, ApiMessages.RequestHeaderVersion(ApiKey.Produce, 8));
        Assert.Equal(2, ApiMessages.RequestHeaderVersion(ApiKey.Produce, 9));
        Assert.Equal(1, ApiMessages.ResponseHeaderVersion(ApiKey.Fetch, 12));
        Assert.Equal(0, ApiMessages.ResponseHeaderVersion(ApiKey.Fetch, 11));
        Assert.Equal(0, ApiMessages.ResponseHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.True(ApiMessages.IsBrokerApi(ApiKey.Produce));
        Assert.False(ApiMessages.IsBrokerApi(ApiKey.Vote));
        Assert.Equal(0, ApiMessages.LowestVersion(ApiKey.Produce));
        Assert.Equal(ProduceRequest.HighestVersion, ApiMessages.HighestVersion(ApiKey.Produce));
    }
}
