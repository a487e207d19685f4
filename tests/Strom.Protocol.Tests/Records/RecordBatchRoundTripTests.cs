using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Records;
using Record = Strom.Protocol.Records.Record;

namespace Strom.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    private static ReadOnlyMemory<byte>? Mem(byte[]? bytes) => bytes is null ? (ReadOnlyMemory<byte>?)null : bytes;

    [Theory]
    [MemberData(nameof(Codecs))]
    public void BuilderOutputReadsBackExactly(CompressionType compression)
    {
        var bytes = RecordTestData.Build(compression, 50, configure: b =>
        {
            b.BaseOffset = 777;
            b.PartitionLeaderEpoch = 9;
            b.ProducerId = 1234;
            b.ProducerEpoch = 5;
            b.BaseSequence = 40;
            b.IsTransactional = true;
        });

        var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadNext(out var batch));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(bytes.Length, reader.Position);

        var h = batch.Header;
        Assert.Equal(2, batch.Magic);
        Assert.Equal(777, h.BaseOffset);
        Assert.Equal(bytes.Length - 12, h.BatchLength);
        Assert.Equal(9, h.PartitionLeaderEpoch);
        Assert.Equal(compression, batch.Compression);
        Assert.True(batch.IsTransactional);
        Assert.False(batch.IsControl);
        Assert.Equal(TimestampType.CreateTime, batch.TimestampType);
        Assert.Equal(49, h.LastOffsetDelta);
        Assert.Equal(1_700_000_000_000, h.BaseTimestamp);
        Assert.Equal(1_700_000_000_049, h.MaxTimestamp);
        Assert.Equal((1234L, (short)5, 40, 50), (h.ProducerId, h.ProducerEpoch, h.BaseSequence, h.RecordCount));
        Assert.True(RecordBatchHeader.IsCrcValid(bytes));

        Assert.Equal(50, batch.Records.Count);
        for (var i = 0; i < 50; i++)
        {
            var r = batch.Records[i];
            Assert.Equal(777 + i, r.Offset);
            Assert.Equal(i, r.OffsetDelta);
            Assert.Equal(1_700_000_000_000 + i, r.Timestamp);
            AssertBytes(RecordTestData.Key(i), r.Key);
            AssertBytes(RecordTestData.Value(i), r.Value);
            Assert.Equal(RecordTestData.Headers(i).Length, r.Headers.Count);
            for (var j = 0; j < r.Headers.Count; j++)
            {
                Assert.Equal(RecordTestData.Headers(i)[j].Key, r.Headers[j].Key);
                Assert.Equal(RecordTestData.Headers(i)[j].Value, r.Headers[j].Value);
            }
        }
    }

    [Fact]
    public void EmptyKeyAndValueStayDistinctFromNull()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(5, ReadOnlyMemory<byte>.Empty, null);
        builder.Append(6, null, ReadOnlyMemory<byte>.Empty);
        var records = RecordBatchReader.ReadAllRecords(builder.ToArray());
        Assert.True(records[0].Key is { Length: 0 });
        Assert.Null(records[0].Value);
        Assert.Null(records[1].Key);
        Assert.True(records[1].Value is { Length: 0 });
    }

    [Fact]
    public void ExplicitOffsetDeltasAndOutOfOrderTimestamps()
    {
        using var builder = new RecordBatchBuilder { BaseOffset = 100 };
        builder.Append(new Record(2000, Mem([1]), Mem([2])) { OffsetDelta = 0 });
        builder.Append(new Record(1500, Mem([3]), null) { OffsetDelta = 4 });
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append(4, 0, null, null));
        var view = Single(builder.ToArray());
        Assert.Equal(4, view.Header.LastOffsetDelta);
        Assert.Equal(2, view.Header.RecordCount);
        Assert.Equal(2000, view.Header.MaxTimestamp);
        Assert.Equal([100L, 104L], view.Records.Select(r => r.Offset));
        Assert.Equal([2000L, 1500L], view.Records.Select(r => r.Timestamp));
        Assert.Equal(-500, view.Records[1].TimestampDelta);
    }

    [Fact]
    public void ResetReusesTheBuilder()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Zstd);
        builder.Append(1, Mem([1]), Mem([1]));
        var first = builder.ToArray();
        builder.Reset();
        builder.Append(1, Mem([1]), Mem([1]));
        Assert.Equal(first, builder.ToArray());
        builder.Reset();
        Assert.Throws<InvalidOperationException>(() => builder.ToArray());
    }

    [Fact]
    public void LogAppendTimeBatchesGiveEveryRecordTheMaxTimestamp()
    {
        var bytes = RecordTestData.Build(CompressionType.None, 3, configure: b => b.TimestampType = TimestampType.LogAppendTime);
        var view = Single(bytes);
        Assert.Equal(TimestampType.LogAppendTime, view.TimestampType);
        Assert.All(view.Records, r => Assert.Equal(view.Header.MaxTimestamp, r.Timestamp));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void TrailingPartialBatchIsSkipped(CompressionType compression)
    {
        var one = RecordTestData.Build(compression, 5);
        var two = RecordTestData.Build(compression, 3);
        var blob = one.Concat(two).ToArray();
        foreach (var cut in new[] { one.Length + 1, one.Length + 16, one.Length + 17, one.Length + 61, blob.Length - 1 })
        {
            var reader = new RecordBatchReader(blob.AsMemory(0, cut));
            Assert.True(reader.TryReadNext(out var batch));
            Assert.Equal(5, batch.Records.Count);
            Assert.False(reader.TryReadNext(out _));
            Assert.Equal(one.Length, reader.Position);
        }
        Assert.Equal(8, RecordBatchReader.ReadAllRecords(blob).Count);
    }

    [Fact]
    public void CorruptCrcIsDetected()
    {
        var bytes = RecordTestData.Build(CompressionType.None, 2);
        bytes[^1] ^= 1;
        var e = Assert.Throws<RecordFormatException>(() => new RecordBatchReader(bytes).TryReadNext(out _));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
        Assert.True(new RecordBatchReader(bytes, verifyCrc: false).TryReadNext(out _));
    }

    [Fact]
    public void LyingRecordCountIsCorruptNotAHugeAllocation()
    {
        var bytes = RecordTestData.Build(CompressionType.None, 2);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.RecordCountOffset), int.MaxValue);
        RecordTestData.FixCrc(bytes);
        var view = Single(bytes);
        var e = Assert.Throws<RecordFormatException>(() => view.Records);
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
    }

    [Fact]
    public void TruncatedRecordInsideBatchIsCorrupt()
    {
        var bytes = RecordTestData.Build(CompressionType.None, 2);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.RecordCountOffset), 3);
        RecordTestData.FixCrc(bytes);
        Assert.Throws<RecordFormatException>(() => Single(bytes).Records);
    }

    [Fact]
    public void ControlBatchCarriesTheTransactionMarker()
    {
        var output = new ArrayBufferWriter<byte>();
        ControlRecord.WriteEndTxnMarker(output, producerId: 77, producerEpoch: 2, coordinatorEpoch: 12, commit: true, timestamp: 99, baseOffset: 40);
        var view = Single(output.WrittenSpan.ToArray());
        Assert.True(view.IsControl);
        Assert.True(view.IsTransactional);
        Assert.Equal((77L, (short)2), (view.ProducerId, view.ProducerEpoch));
        var record = Assert.Single(view.Records);
        Assert.Equal(40, record.Offset);
        Assert.True(ControlRecord.TryParseKey(record.Key!.Value.Span, out var version, out var type));
        Assert.Equal((0, ControlRecordType.Commit), (version, type));
        Assert.True(ControlRecord.TryParseEndTxnValue(record.Value!.Value.Span, out var coordinatorEpoch));
        Assert.Equal(12, coordinatorEpoch);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, record.Key.Value.ToArray());
    }

    [Fact]
    public void SteadyStateBuildingDoesNotAllocatePerRecord()
    {
        using var builder = new RecordBatchBuilder();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        ReadOnlyMemory<byte> key = new byte[16];
        ReadOnlyMemory<byte> value = new byte[100];
        RecordHeader[] headers = [new("h", [1, 2])];
        void Round()
        {
            builder.Reset();
            output.ResetWrittenCount();
            for (var i = 0; i < 1000; i++)
            {
                builder.Append(1_700_000_000_000 + i, key, value, headers);
            }
            builder.WriteTo(output);
        }
        Round();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Round();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static RecordBatchView Single(byte[] bytes)
    {
        var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadNext(out var batch));
        Assert.False(reader.TryReadNext(out _));
        return batch;
    }

    private static void AssertBytes(byte[]? expected, ReadOnlyMemory<byte>? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        Assert.Equal(expected, actual.Value.ToArray());
    }
}
