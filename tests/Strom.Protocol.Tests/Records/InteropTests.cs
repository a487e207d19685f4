using System.Diagnostics;
using System.Text.Json;
using Strom.Protocol.Records;

namespace Strom.Protocol.Tests.Records;

public class InteropTests
{
    [Fact]
    public void EveryPrefixOfABlobReadsOnlyCompleteBatches()
    {
        foreach (var name in new[] { "v2-zstd.bin", "v1-none.bin", "v0-gzip.bin" })
        {
            var blob = RecordTestData.Load(name);
            var ends = new List<int>();
            var full = new RecordBatchReader(blob);
            while (full.TryReadNext(out _))
            {
                ends.Add(full.Position);
            }
            for (var cut = 0; cut <= blob.Length; cut++)
            {
                var reader = new RecordBatchReader(blob.AsMemory(0, cut));
                var count = 0;
                while (reader.TryReadNext(out var batch))
                {
                    Assert.NotEmpty(batch.Records);
                    count++;
                }
                Assert.Equal(ends.Count(e => e <= cut), count);
            }
        }
    }

    /// <summary>Our batches, every codec, read back by kafka-python (needs Debian python3-kafka and codec modules).</summary>
    [Fact]
    public void KafkaPythonReadsOurBatches()
    {
        const string Python = "/usr/bin/python3";
        if (!File.Exists(Python) || !Directory.Exists("/usr/lib/python3/dist-packages/kafka"))
        {
            return; // The real-client test script installs these; nothing to compare against here.
        }
        var dir = Directory.CreateTempSubdirectory("strom-records-");
        try
        {
            var files = new List<string>();
            foreach (var codec in new[] { CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd })
            {
                var path = Path.Combine(dir.FullName, $"{codec}.bin");
                File.WriteAllBytes(path, RecordTestData.Build(codec, 20, configure: b => b.BaseOffset = 300));
                files.Add(path);
            }
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(RecordTestData.Directory(), "decode_with_kafka_python.py"));
            files.ForEach(start.ArgumentList.Add);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, stderr);

            var decoded = JsonSerializer.Deserialize<Dictionary<string, JsonElement[]>>(stdout)!;
            foreach (var path in files)
            {
                var records = decoded[path];
                Assert.Equal(20, records.Length);
                for (var i = 0; i < 20; i++)
                {
                    var r = records[i];
                    Assert.Equal(300 + i, r.GetProperty("offset").GetInt64());
                    Assert.Equal(1_700_000_000_000 + i, r.GetProperty("timestamp").GetInt64());
                    Assert.Equal(Hex(RecordTestData.Key(i)), r.GetProperty("key").GetString());
                    Assert.Equal(Hex(RecordTestData.Value(i)), r.GetProperty("value").GetString());
                    var headers = r.GetProperty("headers").EnumerateArray().ToArray();
                    Assert.Equal(RecordTestData.Headers(i).Length, headers.Length);
                    for (var j = 0; j < headers.Length; j++)
                    {
                        Assert.Equal(RecordTestData.Headers(i)[j].Key, headers[j][0].GetString());
                        Assert.Equal(Hex(RecordTestData.Headers(i)[j].Value), headers[j][1].GetString());
                    }
                }
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string? Hex(byte[]? bytes) => bytes is null ? null : Convert.ToHexStringLower(bytes);
}
