using System.Text;
using Strom.Client.Producer;

namespace Strom.Client.Tests;

public class PartitionerTests
{
    // Expected values are murmur2 outputs of Kafka's algorithm (seed 0x9747b28c, m 0x5bd1e995,
    // r 24), worked out independently of this implementation; the first six are the values
    // Kafka's own tests pin for Utils.murmur2.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    [InlineData("", 275646681)]
    [InlineData("key1", 28543940)]
    public void Murmur2MatchesJava(string key, int expected) =>
        Assert.Equal(expected, Partitioners.Murmur2(Encoding.UTF8.GetBytes(key)));

    // Partition = (murmur2 & 0x7fffffff) % n: the sign bit is masked, not negated.
    [Theory]
    [InlineData("21", 8, 4)]
    [InlineData("foobar", 6, 0)]
    [InlineData("foobar", 8, 6)]
    [InlineData("a-little-bit-longer-string", 10, 9)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 6, 5)]
    [InlineData("abc", 10, 7)]
    [InlineData("key1", 8, 4)]
    public void KeyPartitionMatchesJava(string key, int partitions, int expected) =>
        Assert.Equal(expected, Partitioners.ForKey(Encoding.UTF8.GetBytes(key), partitions));

    [Fact]
    public void StickyPartitionerMovesOnNewBatch()
    {
        var sticky = new StickyPartitioner();
        var first = sticky.Partition("t", 4);
        Assert.Equal(first, sticky.Partition("t", 4));
        sticky.OnNewBatch("t", first, 4);
        Assert.NotEqual(first, sticky.Partition("t", 4));
    }
}
