using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol.Records;

namespace Strom.Protocol.Tests.Records;

public class RecordBatchValidatorTests
{
    private const long Now = 1_700_000_000_000;

    private static readonly ValidationOptions Defaults = new() { NowMs = Now };

    private static byte[] Idempotent(CompressionType compression = CompressionType.None, int count = 5) =>
        RecordTestData.Build(compression, count, Now, b =>
        {
            b.ProducerId = 9;
            b.ProducerEpoch = 1;
            b.BaseSequence = 100;
        });

    private static (ErrorCode Code, ValidationResult Result) Validate(byte[] records, ValidationOptions? options = null)
    {
        var code = RecordBatchValidator.Validate(records, options ?? Defaults, out var result);
        Assert.Equal(code, result.Error);
        Assert.Equal(code == ErrorCode.None, result.ErrorMessage is null);
        return (code, result);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Zstd)]
    public void ValidBatchReportsItsShape(CompressionType compression)
    {
        var (code, r) = Validate(Idempotent(compression));
        Assert.Equal(ErrorCode.None, code);
        Assert.Equal((2, 1, 5, 5L), ((int)r.Magic, r.BatchCount, r.RecordCount, r.OffsetCount));
        Assert.Equal((9L, (short)1, 100, 104), (r.ProducerId, r.ProducerEpoch, r.FirstSequence, r.LastSequence));
        Assert.Equal(Now + 4, r.MaxTimestamp);
        Assert.Equal(4, r.MaxTimestampOffsetDelta);
        Assert.Equal(compression, r.Compression);
        Assert.False(r.IsTransactional);
    }

    [Fact]
    public void MaxTimestampPositionComesFromTheRecords()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(Now, (byte[]?)null, [1]);
        builder.Append(Now + 50, (byte[]?)null, [1]);
        builder.Append(Now + 10, (byte[]?)null, [1]);
        var (code, r) = Validate(builder.ToArray());
        Assert.Equal(ErrorCode.None, code);
        Assert.Equal((Now + 50, 1L), (r.MaxTimestamp, r.MaxTimestampOffsetDelta));
    }

    [Fact]
    public void SequenceWrapsPastIntMax()
    {
        Assert.Equal(1, RecordBatchValidator.LastSequence(int.MaxValue - 2, 4));
        Assert.Equal(int.MaxValue, RecordBatchValidator.LastSequence(int.MaxValue - 4, 4));
        Assert.Equal(-1, RecordBatchValidator.LastSequence(-1, 4));
    }

    [Fact]
    public void BatchAboveMaxMessageBytesIsMessageTooLarge()
    {
        var batch = Idempotent();
        Assert.Equal(ErrorCode.None, Validate(batch, Defaults with { MaxMessageBytes = batch.Length }).Code);
        Assert.Equal(ErrorCode.MessageTooLarge, Validate(batch, Defaults with { MaxMessageBytes = batch.Length - 1 }).Code);
    }

    [Fact]
    public void BadCrcIsCorruptMessage()
    {
        var batch = Idempotent();
        batch[^3] ^= 0x40;
        Assert.Equal(ErrorCode.CorruptMessage, Validate(batch).Code);
    }

    [Fact]
    public void LengthBeyondTheBytesSentIsCorruptMessage()
    {
        var batch = Idempotent();
        Assert.Equal(ErrorCode.CorruptMessage, Validate(batch[..^1]).Code);
        Assert.Equal(ErrorCode.CorruptMessage, Validate(batch[..10]).Code);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), 20);
        Assert.Equal(ErrorCode.CorruptMessage, Validate(batch).Code);
    }

    [Fact]
    public void LegacyMagicIsReportedForConversion()
    {
        var (code, r) = Validate(RecordTestData.Load("v1-gzip.bin"));
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, code);
        Assert.Equal(1, r.Magic);
    }

    [Fact]
    public void EmptyRequestAndSecondBatchAreInvalidRecord()
    {
        Assert.Equal(ErrorCode.InvalidRecord, Validate([]).Code);
        var two = Idempotent().Concat(Idempotent()).ToArray();
        Assert.Equal(ErrorCode.InvalidRecord, Validate(two).Code);
        var (code, r) = Validate(two, Defaults with { RequireSingleBatch = false });
        Assert.Equal(ErrorCode.None, code);
        Assert.Equal((2, 10, 10L), (r.BatchCount, r.RecordCount, r.OffsetCount));
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(5, 3)]
    [InlineData(5, -1)]
    public void RecordCountMustMatchLastOffsetDelta(int count, int lastOffsetDelta)
    {
        var batch = Idempotent();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordCountOffset), count);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), lastOffsetDelta);
        RecordTestData.FixCrc(batch);
        Assert.Equal(ErrorCode.InvalidRecord, Validate(batch).Code);
    }

    [Fact]
    public void RecordsThatDoNotFillTheBatchAreInvalidRecord()
    {
        // Claim 4 records (lastOffsetDelta 3) while 5 are present.
        var batch = Idempotent();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.RecordCountOffset), 4);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 3);
        RecordTestData.FixCrc(batch);
        Assert.Equal(ErrorCode.InvalidRecord, Validate(batch).Code);
    }

    [Fact]
    public void MalformedRecordIsInvalidRecord()
    {
        var batch = Idempotent();
        batch[RecordBatchHeader.Size] = 0x7F; // first record's length varint: far too long
        RecordTestData.FixCrc(batch);
        Assert.Equal(ErrorCode.InvalidRecord, Validate(batch).Code);
    }

    [Fact]
    public void ControlBatchFromAClientIsInvalidRecord()
    {
        var output = new ArrayBufferWriter<byte>();
        ControlRecord.WriteEndTxnMarker(output, 5, 0, 0, commit: false, timestamp: Now);
        var batch = output.WrittenSpan.ToArray();
        Assert.Equal(ErrorCode.InvalidRecord, Validate(batch).Code);
        var (code, r) = Validate(batch, Defaults with { AllowControlBatches = true });
        Assert.Equal(ErrorCode.None, code);
        Assert.True(r.IsControl);
        Assert.True(r.IsTransactional);
    }

    [Fact]
    public void ProducerIdWithoutSequenceOrTransactionWithoutProducerIdIsInvalidRecord()
    {
        var noSequence = RecordTestData.Build(CompressionType.None, 1, Now, b => b.ProducerId = 3);
        Assert.Equal(ErrorCode.InvalidRecord, Validate(noSequence).Code);
        var noProducer = RecordTestData.Build(CompressionType.None, 1, Now, b => b.IsTransactional = true);
        Assert.Equal(ErrorCode.InvalidRecord, Validate(noProducer).Code);
    }

    [Fact]
    public void UnknownCodecIsUnsupportedCompressionType()
    {
        var batch = Idempotent();
        batch[RecordBatchHeader.AttributesOffset + 1] |= 0x07;
        RecordTestData.FixCrc(batch);
        Assert.Equal(ErrorCode.UnsupportedCompressionType, Validate(batch).Code);
    }

    [Theory]
    [InlineData(CompressionType.None, false)]
    [InlineData(CompressionType.Lz4, false)]
    [InlineData(CompressionType.Lz4, true)]
    public void TimestampsOutsideTheWindowAreInvalidTimestamp(CompressionType compression, bool deep)
    {
        var batch = Idempotent(compression);
        var options = Defaults with { DeepCheckCompressed = deep };
        Assert.Equal(ErrorCode.None, Validate(batch, options with { TimestampBeforeMaxMs = 0, TimestampAfterMaxMs = 4 }).Code);
        Assert.Equal(ErrorCode.InvalidTimestamp, Validate(batch, options with { TimestampAfterMaxMs = 3 }).Code);
        Assert.Equal(ErrorCode.InvalidTimestamp, Validate(batch, options with { NowMs = Now + 1000, TimestampBeforeMaxMs = 999 }).Code);
        Assert.Equal(ErrorCode.None, Validate(batch, options with { NowMs = Now + 1000, TimestampBeforeMaxMs = 1000 }).Code);
        // LogAppendTime topics overwrite timestamps, so they are not checked.
        Assert.Equal(ErrorCode.None, Validate(batch, options with { TimestampAfterMaxMs = 0, TimestampType = TimestampType.LogAppendTime }).Code);
    }

    [Fact]
    public void ExtremeTimestampsDoNotOverflowTheCheck()
    {
        var past = RecordTestData.Build(CompressionType.None, 1, long.MinValue + 1);
        Assert.Equal(ErrorCode.InvalidTimestamp, Validate(past, Defaults with { TimestampBeforeMaxMs = long.MaxValue - 1 }).Code);
        var future = RecordTestData.Build(CompressionType.None, 1, long.MaxValue);
        Assert.Equal(ErrorCode.None, Validate(future).Code);
        Assert.Equal(ErrorCode.InvalidTimestamp, Validate(future, Defaults with { TimestampAfterMaxMs = long.MaxValue - Now - 1 }).Code);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Gzip)]
    public void CompactedTopicsRejectRecordsWithoutKeys(CompressionType compression)
    {
        // Record 1 has a null key.
        var batch = Idempotent(compression);
        Assert.Equal(ErrorCode.None, Validate(batch).Code);
        var (code, r) = Validate(batch, Defaults with { RequireKeys = true });
        Assert.Equal(ErrorCode.InvalidRecord, code);
        Assert.Contains("key", r.ErrorMessage);
        Assert.Equal(ErrorCode.None, Validate(Idempotent(compression, count: 1), Defaults with { RequireKeys = true }).Code);
    }

    [Fact]
    public void DeepCheckRejectsACompressedBomb()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Zstd) { ProducerId = -1 };
        builder.Append(Now, (byte[]?)[1], new byte[4 * 1024 * 1024]);
        var batch = builder.ToArray();
        Assert.True(batch.Length < 4096);
        var options = Defaults with { DeepCheckCompressed = true, MaxDecompressedBytes = 1024 * 1024 };
        Assert.Equal(ErrorCode.CorruptMessage, Validate(batch, options).Code);
        Assert.Equal(ErrorCode.None, Validate(batch, options with { MaxDecompressedBytes = 8 * 1024 * 1024 }).Code);
    }

    [Fact]
    public void ShallowValidationOfUncompressedBatchesDoesNotAllocate()
    {
        var batch = Idempotent(count: 200);
        var options = Defaults with { RequireKeys = false };
        RecordBatchValidator.Validate(batch, options, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var code = RecordBatchValidator.Validate(batch, options, out var result);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(ErrorCode.None, code);
        Assert.Equal(200, result.RecordCount);
    }
}
