namespace Strom.Interop.Tests;

public class InteropDataSetTests
{
    // The scripts in tests/clients hard-code the same data set; these pin the shape they share.
    [Fact]
    public void MatchesTheDocumentedRecords()
    {
        var r = InteropDataSet.Create(3, 8);

        Assert.Equal(2, r.Partition);
        Assert.Equal("k-lz4-8", r.Key);
        Assert.Equal("v-lz4-8-abcdefghijabcdefghij", r.Value);
        Assert.Equal([("codec", "lz4"), ("i", "8")], r.Headers);
        Assert.Equal(1700000308000, r.Timestamp);
    }

    [Fact]
    public void EveryPartitionGetsTenRecordsPerCodec()
    {
        for (var p = 0; p < InteropDataSet.Partitions; p++)
        {
            var log = InteropDataSet.ExpectedAt(p);
            Assert.Equal(50, log.Count);
            Assert.Equal("k-none-" + p, log[0].Key);
            Assert.Equal("k-zstd-" + (27 + p), log[^1].Key);
        }
    }
}
