using System.Text;
using Strom.Broker.Tests.Core;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Records;
using Strom.Testing;
using Xunit.Abstractions;

namespace Strom.Broker.Tests.Fuzz;

/// <summary>Runs alone: the allocation checks read process-wide counters.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}

/// <summary>
/// Protocol fuzzing against a real in-process broker: valid requests of every advertised API
/// version, mutated many ways, and random frames. Deterministic: every mutant comes from a seed
/// printed with its failure; set STROM_FUZZ_REPLAY to "ApiKey:version:seed" (or
/// "ApiKey:version:t&lt;length&gt;" for a truncation) to send just that one. After each API the
/// broker must still serve a new client, and the records stored before fuzzing must be intact.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int BaseSeed = 20_250_611;
    private const int MutantsPerVersion = 300;
    /// <summary>Requests up to this size are truncated at every length; longer ones at random lengths.</summary>
    private const int TruncateEveryLengthUpTo = 160;
    private const int RandomTruncations = 8;
    private const int FrameCap = 8 << 20;
    private const string Canary = "fuzz-canary";
    private const int CanaryRecords = 5;
    private const long AllocationCapPerThousandMutants = 1L << 30;

    [Fact]
    public async Task Mutants_of_every_advertised_request_version_get_an_answer_or_a_close()
    {
        var replay = Environment.GetEnvironmentVariable("STROM_FUZZ_REPLAY");
        await using var fuzz = await FuzzBroker.StartAsync();
        await using var oracle = new FuzzOracle(fuzz.Broker, fuzz.Advertised, perRequestAllocationCap: FrameCap);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        foreach (var (key, range) in fuzz.Advertised.OrderBy(kv => kv.Key))
        {
            for (var version = range.Min; version <= range.Max; version++)
            {
                await FuzzVersionAsync(fuzz, oracle, key, version, replay);
            }
            await oracle.ResolveParkedAsync();
            await oracle.DropConnectionAsync();
            await fuzz.AssertHealthyAsync($"after the {key} mutants");
            output.WriteLine($"{key}: {oracle.Sent} mutants so far, {oracle.Failures.Count} failures, {clock.Elapsed.TotalSeconds:0.0} s");
        }

        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        output.WriteLine($"{oracle.Sent} mutants: {oracle.Answered} answered, {oracle.Closed} closed, {oracle.LongWaitsSkipped} long waits not judged; " +
            $"{allocated / (1 << 20)} MiB allocated, heap grew {heapGrowth / (1 << 20)} MiB");
        output.WriteLine($"answered/sent by mutation: {oracle.Coverage}");
        output.WriteLine(string.Join(Environment.NewLine, oracle.Slow.Prepend($"{oracle.Slow.Count} slow mutants:")));
        Assert.True(oracle.Sent > 0, "no mutant was sent");
        Assert.True(oracle.Failures.Count == 0, Report(oracle));
        Assert.True(allocated < AllocationCapPerThousandMutants * Math.Max(1, oracle.Sent / 1000),
            $"{allocated:N0} bytes allocated for {oracle.Sent} mutants");
        Assert.True(heapGrowth < 256L << 20, $"the heap grew by {heapGrowth:N0} bytes over the run");
    }

    [Fact]
    public async Task Random_frames_and_hostile_frame_sizes_get_an_answer_or_a_close()
    {
        await using var fuzz = await FuzzBroker.StartAsync();
        await using var oracle = new FuzzOracle(fuzz.Broker, fuzz.Advertised, perRequestAllocationCap: FrameCap);
        var rng = new Random(BaseSeed);
        var keys = fuzz.Advertised.OrderBy(kv => kv.Key).ToArray();
        for (var i = 0; i < 600; i++)
        {
            var seed = rng.Next();
            var local = new Random(seed);
            var payload = new byte[local.Next(400)];
            local.NextBytes(payload);
            var kind = "random frame";
            if (i % 2 == 1 && payload.Length >= 8)
            {
                // A real api key and version in front, so the random part reaches the request parsers.
                var (key, range) = keys[local.Next(keys.Length)];
                payload[0] = (byte)((short)key >> 8);
                payload[1] = (byte)key;
                var version = (short)local.Next(range.Min, range.Max + 1);
                payload[2] = (byte)(version >> 8);
                payload[3] = (byte)version;
                if (payload.Length >= 10)
                {
                    payload[8] = payload[9] = 0xff; // null client id
                }
                kind = $"{key} v{version} header, random rest";
            }
            await oracle.CheckAsync(new Mutant(kind, payload), $"random frame seed {seed}");
        }
        int[] hostileSizes = [-1, int.MinValue, 0, 1, 7, FrameCap + 1, 0x10000000, int.MaxValue];
        foreach (var size in hostileSizes)
        {
            var payload = new byte[64];
            rng.NextBytes(payload);
            payload[0] = 0;
            payload[1] = (byte)ApiKey.Metadata;
            await oracle.CheckAsync(new Mutant($"declared frame size {size}", payload), $"hostile size {size}", declaredSize: size);
        }
        await oracle.DropConnectionAsync();
        await fuzz.AssertHealthyAsync("after the random frames");
        output.WriteLine($"{oracle.Sent} frames: {oracle.Answered} answered, {oracle.Closed} closed");
        Assert.True(oracle.Closed > 0, "no frame was refused: the random frames cannot all be valid");
        Assert.True(oracle.Failures.Count == 0, Report(oracle));
    }

    private static async Task FuzzVersionAsync(FuzzBroker fuzz, FuzzOracle oracle, ApiKey key, short version, string? replay)
    {
        var prefix = $"{key}:{version}:";
        if (replay is not null && !replay.StartsWith(prefix, StringComparison.Ordinal))
        {
            return;
        }
        var baseSeed = unchecked(BaseSeed + (int)key * 100_003 + version * 1_009);
        for (var i = 0; i < MutantsPerVersion; i++)
        {
            var seed = unchecked(baseSeed + i * 7_919);
            if (replay is not null && replay != prefix + seed)
            {
                continue;
            }
            var rng = new Random(seed);
            var valid = fuzz.ValidRequest(key, version, $"g{seed:x8}", (CompressionType)rng.Next(5), rng);
            await oracle.CheckAsync(Mutator.Next(valid, rng), prefix + seed);
        }

        var request = fuzz.ValidRequest(key, version, "fuzz-truncated", CompressionType.None, new Random(baseSeed));
        var lengths = request.Payload.Length <= TruncateEveryLengthUpTo
            ? Enumerable.Range(0, request.Payload.Length)
            : Enumerable.Range(0, RandomTruncations).Select(i => new Random(baseSeed - i).Next(request.Payload.Length));
        foreach (var length in lengths)
        {
            var id = $"{prefix}t{length}";
            if (replay is null || replay == id)
            {
                await oracle.CheckAsync(Mutator.Truncate(request, length), id);
            }
        }
    }

    private static string Report(FuzzOracle oracle) =>
        $"{oracle.Failures.Count} of {oracle.Sent} mutants failed (replay one with STROM_FUZZ_REPLAY=<id>):{Environment.NewLine}" +
        string.Join(Environment.NewLine, oracle.Failures.Take(30));

    /// <summary>A broker with a topic to fuzz against and a canary topic whose records must survive.</summary>
    private sealed class FuzzBroker : IAsyncDisposable
    {
        private const string Topic = "fuzz";
        private const string AdminTopic = "fuzz-admin";
        private int _correlationId;

        private FuzzBroker(StromBroker broker, IReadOnlyDictionary<ApiKey, (short, short)> advertised, Uuid topicId)
        {
            Broker = broker;
            Advertised = advertised;
            TopicId = topicId;
        }

        public StromBroker Broker { get; }
        public IReadOnlyDictionary<ApiKey, (short Min, short Max)> Advertised { get; }
        public Uuid TopicId { get; }

        public static async Task<FuzzBroker> StartAsync()
        {
            var broker = await StromBroker.StartAsync(new Dictionary<string, string>
            {
                ["socket.request.max.bytes"] = FrameCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["group.initial.rebalance.delay.ms"] = "0",
                ["group.min.session.timeout.ms"] = "1000",
                ["num.partitions"] = "2",
            });
            try
            {
                await using var connection = await KafkaTestConnection.ConnectAsync(broker.Port);
                var versions = await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3);
                var advertised = versions.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
                var topic = await Requests.EnsureTopicAsync(connection, Topic);
                await Requests.EnsureTopicAsync(connection, Canary);
                var produced = await connection.SendAsync<ProduceResponse>(Requests.Produce(Canary, 0, Requests.Batch(CanaryRecords, keyPrefix: "canary-")), 9);
                Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);
                return new FuzzBroker(broker, advertised, topic.TopicId);
            }
            catch
            {
                await broker.DisposeAsync();
                throw;
            }
        }

        public ValidRequest ValidRequest(ApiKey key, short version, string group, CompressionType compression, Random variant)
        {
            var targets = new FuzzTargets(Topic, TopicId, AdminTopic, group, compression, variant);
            var message = PlausibleRequests.Create(key, targets);
            var batch = key == ApiKey.Produce ? PlausibleRequests.Batch(compression) : null;
            return new ValidRequest(key, version, message, "strom-fuzz", Interlocked.Increment(ref _correlationId), batch);
        }

        /// <summary>A new client gets Metadata, Produce and Fetch answers, and the canary records are unchanged.</summary>
        public async Task AssertHealthyAsync(string when)
        {
            using var cts = new CancellationTokenSource(FuzzOracle.AnswerTimeout * 3);
            await using var connection = await KafkaTestConnection.ConnectAsync(Broker.Port, cts.Token);
            var metadata = await connection.SendAsync<MetadataResponse>(Requests.Metadata(Topic, Canary), 12, cts.Token);
            Assert.All(metadata.Topics, t => Assert.Equal(0, t.ErrorCode));
            var canary = metadata.Topics.Single(t => t.Name == Canary);

            var produce = await connection.SendAsync<ProduceResponse>(Requests.Produce(Topic, 0, Requests.Batch(1, keyPrefix: "health-")), 9, cts.Token);
            Assert.True(produce.Responses[0].PartitionResponses[0].ErrorCode == 0, $"Produce failed {when}");

            var fetch = await connection.SendAsync<FetchResponse>(Requests.Fetch(Canary, canary.TopicId, 0, 0), 12, cts.Token);
            var partition = fetch.Responses[0].Partitions[0];
            Assert.True(partition.ErrorCode == 0, $"Fetch of the canary failed {when}: error {partition.ErrorCode}");
            var records = RecordBatchReader.ReadAllRecords(partition.Records!.Value);
            Assert.Equal(
                Enumerable.Range(0, CanaryRecords).Select(i => $"{i}:canary-{i}=value-{i}"),
                records.Select(r => $"{r.Offset}:{Encoding.UTF8.GetString(r.Key!.Value.Span)}={Encoding.UTF8.GetString(r.Value!.Value.Span)}"));
            Assert.True(Broker.Logs.Errors.Count == 0, $"the broker logged errors {when}: {string.Join(Environment.NewLine, Broker.Logs.Errors)}");
        }

        public ValueTask DisposeAsync() => Broker.DisposeAsync();
    }
}
