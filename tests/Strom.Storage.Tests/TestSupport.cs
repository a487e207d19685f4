using System.Buffers.Binary;
using Strom.Protocol.Primitives;
using Strom.Protocol.Records;

namespace Strom.Storage.Tests;

/// <summary>Minimal uncompressed magic v2 batch builder, for tests only.</summary>
internal static class TestBatches
{
    /// <summary>A batch of <paramref name="recordCount"/> records; record i has timestamp baseTimestamp + i*step.</summary>
    public static byte[] Build(int recordCount, long baseTimestamp = 1_000, int valueSize = 10, byte fill = 0x5A, long timestampStep = 1)
    {
        if (baseTimestamp < 0)
        {
            timestampStep = 0; // no timestamps: every record and the max stay -1
        }
        var records = new List<byte[]>();
        for (var i = 0; i < recordCount; i++)
        {
            var body = new List<byte> { 0 }; // attributes
            var tmp = new byte[10];
            void Var(long v)
            {
                var n = VarInt.Write(tmp, v);
                body.AddRange(tmp[..n]);
            }
            Var(i * timestampStep); // timestamp delta
            Var(i); // offset delta
            Var(-1); // null key
            Var(valueSize);
            for (var b = 0; b < valueSize; b++)
            {
                body.Add((byte)(fill + i + b));
            }
            Var(0); // no headers
            var len = new byte[10];
            var ln = VarInt.Write(len, body.Count);
            records.Add([.. len[..ln], .. body]);
        }
        var recordBytes = records.SelectMany(r => r).ToArray();
        var batch = new byte[RecordBatchHeader.Size + recordBytes.Length];
        var maxTs = baseTimestamp + (recordCount - 1) * timestampStep;
        new RecordBatchHeader(0, batch.Length - RecordBatchHeader.LogOverhead, -1, 2, 0, 0, recordCount - 1,
            baseTimestamp, maxTs, -1, -1, -1, recordCount).Format(batch);
        recordBytes.CopyTo(batch, RecordBatchHeader.Size);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    /// <summary>Parses consecutive whole batches; fails on a partial or corrupt one.</summary>
    public static List<RecordBatchHeader> Headers(ReadOnlySpan<byte> bytes)
    {
        var result = new List<RecordBatchHeader>();
        while (bytes.Length > 0)
        {
            Assert.True(bytes.Length >= RecordBatchHeader.Size, "partial batch header");
            var h = RecordBatchHeader.Parse(bytes);
            Assert.True(h.TotalSize <= bytes.Length, "partial batch");
            Assert.True(RecordBatchHeader.IsCrcValid(bytes[..h.TotalSize]), "bad CRC");
            result.Add(h);
            bytes = bytes[h.TotalSize..];
        }
        return result;
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(long nowMs) : TimeProvider
{
    public long NowMs { get; set; } = nowMs;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}

/// <summary>A fresh directory removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "strom-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class LogTestExtensions
{
    public static readonly TopicPartition Tp = new("orders", 0);

    public static AppendResult AppendBatch(this PartitionLog log, int records, long baseTimestamp = 1_000, int valueSize = 10, int epoch = 0, long? appendTime = null) =>
        log.Append(TestBatches.Build(records, baseTimestamp, valueSize), epoch, appendTime);

    /// <summary>Reads everything from <paramref name="offset"/> to the log end as batch headers.</summary>
    public static List<RecordBatchHeader> ReadAll(this PartitionLog log, long offset)
    {
        var result = new List<RecordBatchHeader>();
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 1 << 20, long.MaxValue, minOneBatch: true);
            Assert.Equal(Strom.Protocol.ErrorCode.None, read.Error);
            var headers = TestBatches.Headers(read.Records.Span);
            Assert.NotEmpty(headers);
            result.AddRange(headers);
            offset = headers[^1].NextOffset;
        }
        return result;
    }

    public static byte[] ReadBytes(this PartitionLog log, long offset, int maxBytes = 1 << 24)
    {
        using var read = log.Read(offset, maxBytes, long.MaxValue, minOneBatch: true);
        return read.Records.ToArray();
    }
}
