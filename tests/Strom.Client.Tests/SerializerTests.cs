using Strom.Client.Serialization;

namespace Strom.Client.Tests;

public class SerializerTests
{
    private static readonly SerializationContext Context = new("t", MessageComponent.Value);

    public sealed record Order(string Id, int Quantity);

    [Fact]
    public void IntegersAreBigEndianLikeJava()
    {
        Assert.Equal([0x00, 0x00, 0x01, 0x02], Serializers.Int32.Serialize(258, Context));
        Assert.Equal(-2, Deserializers.Int32.Deserialize([0xFF, 0xFF, 0xFF, 0xFE], false, Context));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0x01, 0x00], Serializers.Int64.Serialize(256, Context));
        Assert.Throws<FormatException>(() => Deserializers.Int32.Deserialize([1, 2], false, Context));
    }

    [Fact]
    public void StringsAndNullsRoundTrip()
    {
        Assert.Null(Serializers.Utf8.Serialize(null, Context));
        Assert.Null(Deserializers.Utf8.Deserialize([], true, Context));
        Assert.Equal("", Deserializers.Utf8.Deserialize([], false, Context));
        Assert.Equal("grüße", Deserializers.Utf8.Deserialize(Serializers.Utf8.Serialize("grüße", Context), false, Context));
    }

    [Fact]
    public void JsonRoundTrips()
    {
        var bytes = Serializers.Json<Order>().Serialize(new Order("a1", 3), Context)!;
        Assert.Equal("{\"Id\":\"a1\",\"Quantity\":3}", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(new Order("a1", 3), Deserializers.Json<Order>().Deserialize(bytes, false, Context));
    }
}
