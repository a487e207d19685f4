using System.Text.Json;
using Strom.Protocol.Records;
using Record = Strom.Protocol.Records.Record;

namespace Strom.Protocol.Tests.Records;

/// <summary>
/// Batches and legacy message sets written by kafka-python 2.0.2 (TestData/make_samples.py)
/// must decode to exactly the records the script appended.
/// </summary>
public class ClientSampleTests
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var name in Expected().Keys.Order())
        {
            data.Add(name);
        }
        return data;
    }

    private static Dictionary<string, JsonElement[]> Expected() =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement[]>>(File.ReadAllText(Path.Combine(RecordTestData.Directory(), "expected.json")))!;

    [Theory]
    [MemberData(nameof(Samples))]
    public void DecodesExactlyWhatKafkaPythonWrote(string name)
    {
        var expected = Expected()[name];
        var bytes = RecordTestData.Load(name);
        var reader = new RecordBatchReader(bytes);
        var records = new List<Record>();
        while (reader.TryReadNext(out var batch))
        {
            var magic = name[1] - '0';
            Assert.Equal(magic, batch.Magic);
            Assert.Equal(name.Split('-', '.')[1], batch.Compression.ToString().ToLowerInvariant());
            if (magic == 2)
            {
                Assert.Equal((4242L, (short)3, 17), (batch.ProducerId, batch.ProducerEpoch, batch.Header.BaseSequence));
            }
            Assert.Equal(batch.Records[0].Offset, batch.BaseOffset);
            Assert.Equal(batch.Records[^1].Offset, batch.LastOffset);
            records.AddRange(batch.Records);
        }
        Assert.Equal(bytes.Length, reader.Position);
        Assert.Equal(expected.Length, records.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var r = records[i];
            Assert.Equal(e.GetProperty("offset").GetInt64(), r.Offset);
            Assert.Equal(e.GetProperty("timestamp").GetInt64(), r.Timestamp);
            Assert.Equal(Hex(e.GetProperty("key")), r.Key is { } k ? Convert.ToHexStringLower(k.Span) : null);
            Assert.Equal(Hex(e.GetProperty("value")), r.Value is { } v ? Convert.ToHexStringLower(v.Span) : null);
            var headers = e.GetProperty("headers").EnumerateArray().ToArray();
            Assert.Equal(headers.Length, r.Headers.Count);
            for (var j = 0; j < headers.Length; j++)
            {
                Assert.Equal(headers[j][0].GetString(), r.Headers[j].Key);
                Assert.Equal(Hex(headers[j][1]), r.Headers[j].Value is { } hv ? Convert.ToHexStringLower(hv) : null);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void LegacySamplesConvertToEquivalentV2(string name)
    {
        if (name.StartsWith("v2", StringComparison.Ordinal))
        {
            Assert.Throws<RecordFormatException>(() => LegacyMessageSetConverter.ToRecordBatchV2(RecordTestData.Load(name), new System.Buffers.ArrayBufferWriter<byte>()));
            return;
        }
        var legacy = RecordBatchReader.ReadAllRecords(RecordTestData.Load(name));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSetConverter.ToRecordBatchV2(RecordTestData.Load(name), output);
        var reader = new RecordBatchReader(output.WrittenMemory);
        Assert.True(reader.TryReadNext(out var batch));
        Assert.False(reader.TryReadNext(out _));
        Assert.Equal(2, batch.Magic);
        Assert.Equal(name.Split('-', '.')[1], batch.Compression.ToString().ToLowerInvariant());
        Assert.Equal(legacy.Count, batch.Records.Count);
        for (var i = 0; i < legacy.Count; i++)
        {
            Assert.Equal(i, batch.Records[i].Offset);
            Assert.Equal(legacy[i].Timestamp, batch.Records[i].Timestamp);
            Assert.Equal(legacy[i].Key?.ToArray(), batch.Records[i].Key?.ToArray());
            Assert.Equal(legacy[i].Value?.ToArray(), batch.Records[i].Value?.ToArray());
        }
    }

    [Fact]
    public void ConverterHonoursTargetCodecAndChecksLegacyCrc()
    {
        var set = RecordTestData.Load("v1-none.bin");
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSetConverter.ToRecordBatchV2(set, output, CompressionType.Zstd);
        Assert.Equal(CompressionType.Zstd, RecordBatchHeader.Parse(output.WrittenSpan).Compression);

        set[^1] ^= 0xFF;
        var e = Assert.Throws<RecordFormatException>(() => LegacyMessageSetConverter.ToRecordBatchV2(set, new System.Buffers.ArrayBufferWriter<byte>()));
        Assert.Equal(ErrorCode.CorruptMessage, e.ErrorCode);
    }

    private static string? Hex(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();
}
