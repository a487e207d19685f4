using Strom.Protocol;
using Strom.Storage.Formats;
using Strom.Storage.Producers;
using static Strom.Storage.Tests.KeyedBatches;

namespace Strom.Storage.Tests;

public sealed class ProducerStateTests
{
    private const long Pid = 4242;

    private static PartitionLog OpenLog(TempDir dir, LogConfig? config = null, LogLoadState? state = null) =>
        PartitionLog.Open(dir.Path, LogTestExtensions.Tp, config ?? LogConfig.Default, state);

    private static ErrorCode ErrorOf(Action append) => Assert.Throws<StorageException>(append).Code;

    [Fact]
    public void A_retry_of_one_of_the_last_five_batches_gets_its_original_offsets_and_is_not_appended()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.AppendBatch(2); // offsets 0-1, no producer
        var firsts = new List<long>();
        for (var seq = 0; seq < 18; seq += 3)
        {
            firsts.Add(log.Append(Idempotent(Pid, 0, seq, count: 3), 0, null).FirstOffset);
        }
        var end = log.LogEndOffset;

        var retry = log.Append(Idempotent(Pid, 0, 3, count: 3), 0, null);

        Assert.True(retry.IsDuplicate);
        Assert.Equal(firsts[1], retry.FirstOffset);
        Assert.Equal(firsts[1] + 2, retry.LastOffset);
        Assert.Equal(end, log.LogEndOffset);
        // The first batch has left the window of five: its retry is out of order, not a duplicate.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(() => log.Append(Idempotent(Pid, 0, 0, count: 3), 0, null)));
        Assert.Equal(end, log.LogEndOffset);
    }

    [Fact]
    public void A_sequence_gap_is_out_of_order_and_leaves_the_log_alone()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 0, 0, count: 2), 0, null);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(() => log.Append(Idempotent(Pid, 0, 3), 0, null)));
        Assert.Equal(2, log.LogEndOffset);
        Assert.False(log.Append(Idempotent(Pid, 0, 2), 0, null).IsDuplicate);
        Assert.Equal(2, log.FindProducer(Pid)!.LastSequence);
    }

    [Fact]
    public void Epochs_are_fenced_and_a_new_epoch_starts_at_sequence_zero()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 3, 0, count: 2), 0, null);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, ErrorOf(() => log.Append(Idempotent(Pid, 2, 2), 0, null)));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(() => log.Append(Idempotent(Pid, 4, 5), 0, null)));
        log.Append(Idempotent(Pid, 4, 0), 0, null);
        Assert.Equal(4, log.FindProducer(Pid)!.Epoch);
        // The old epoch's batches are forgotten: their retry is now a stale epoch.
        Assert.Equal(ErrorCode.InvalidProducerEpoch, ErrorOf(() => log.Append(Idempotent(Pid, 3, 0, count: 2), 0, null)));
    }

    [Fact]
    public void An_unknown_producer_may_start_at_any_sequence_as_in_Kafka_2_5()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        var result = log.Append(Idempotent(Pid, 0, 77), 0, null);
        Assert.False(result.IsDuplicate);
        Assert.Equal(77, log.FindProducer(Pid)!.LastSequence);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(() => log.Append(Idempotent(Pid, 0, 79), 0, null)));
    }

    [Fact]
    public void Sequences_wrap_from_int_max_to_zero()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 0, int.MaxValue - 1, count: 2), 0, null);
        Assert.Equal(int.MaxValue, log.FindProducer(Pid)!.LastSequence);
        log.Append(Idempotent(Pid, 0, 0), 0, null);
        Assert.Equal(0, log.FindProducer(Pid)!.LastSequence);
    }

    [Fact]
    public void State_survives_a_clean_restart_through_the_snapshot()
    {
        using var dir = new TempDir();
        long first;
        using (var log = OpenLog(dir))
        {
            log.Append(Idempotent(Pid, 1, 0, count: 2), 0, null);
            first = log.Append(Idempotent(Pid, 1, 2, count: 2), 0, null).FirstOffset;
            log.Close();
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "00000000000000000004.snapshot")));

        using var reopened = OpenLog(dir, state: new LogLoadState(4, 0, CleanShutdown: true));
        var retry = reopened.Append(Idempotent(Pid, 1, 2, count: 2), 0, null);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(first, retry.FirstOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(() => reopened.Append(Idempotent(Pid, 1, 5), 0, null)));
    }

    [Fact]
    public void After_a_crash_the_state_is_rebuilt_from_the_roll_snapshot_plus_the_batches_after_it()
    {
        using var dir = new TempDir();
        var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 0, 0, count: 2), 0, null);
        log.Append(Idempotent(Pid + 1, 0, 0), 0, null);
        log.Roll(); // snapshot at offset 3
        var last = log.Append(Idempotent(Pid, 0, 2, count: 2), 0, null).FirstOffset;
        log.Flush();
        Assert.True(File.Exists(LogFileNames.SnapshotFile(dir.Path, 3)));
        // No Close: the crash leaves no snapshot at the log end.

        using var reopened = OpenLog(dir);
        Assert.Equal(2, reopened.ProducerCount);
        var retry = reopened.Append(Idempotent(Pid, 0, 2, count: 2), 0, null);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(last, retry.FirstOffset);
        Assert.False(reopened.Append(Idempotent(Pid + 1, 0, 1), 0, null).IsDuplicate);
        log.Dispose();
    }

    [Fact]
    public void Without_any_snapshot_the_whole_log_is_replayed()
    {
        using var dir = new TempDir();
        using (var log = OpenLog(dir))
        {
            log.Append(Idempotent(Pid, 0, 0, count: 3), 0, null);
            log.Close();
        }
        foreach (var snapshot in Directory.GetFiles(dir.Path, "*.snapshot"))
        {
            File.Delete(snapshot);
        }
        using var reopened = OpenLog(dir);
        Assert.Equal(2, reopened.FindProducer(Pid)!.LastSequence);
    }

    [Fact]
    public void A_corrupt_snapshot_is_ignored_and_the_log_replayed()
    {
        using var dir = new TempDir();
        using (var log = OpenLog(dir))
        {
            log.Append(Idempotent(Pid, 0, 0, count: 3), 0, null);
            log.Close();
        }
        var path = LogFileNames.SnapshotFile(dir.Path, 3);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        using var reopened = OpenLog(dir, state: new LogLoadState(3, 0, CleanShutdown: true));
        Assert.Equal(2, reopened.FindProducer(Pid)!.LastSequence);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Truncation_rebuilds_the_state_so_the_dropped_batch_can_be_sent_again()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 0, 0, count: 2), 0, null);
        log.Roll();
        log.Append(Idempotent(Pid, 0, 2, count: 2), 0, null);

        log.Truncate(2);

        Assert.Equal(1, log.FindProducer(Pid)!.LastSequence);
        var again = log.Append(Idempotent(Pid, 0, 2, count: 2), 0, null);
        Assert.False(again.IsDuplicate);
        Assert.Equal(2, again.FirstOffset);
    }

    [Fact]
    public void Producers_expire_after_producer_id_expiration_ms_of_idleness()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 0, 0, timestamp: 10_000), 0, null);
        log.Append(Idempotent(Pid + 1, 0, 0, timestamp: 50_000), 0, null);

        Assert.Equal(0, log.RemoveExpiredProducers(nowMs: 10_000 + 29_999, expirationMs: 30_000));
        Assert.Equal(1, log.RemoveExpiredProducers(nowMs: 10_000 + 30_000, expirationMs: 30_000));
        Assert.Null(log.FindProducer(Pid));
        Assert.NotNull(log.FindProducer(Pid + 1));
    }

    [Fact]
    public void The_log_manager_expires_producers_in_its_maintenance_pass()
    {
        using var dir = new TempDir();
        var time = new ManualTime(1_000);
        using var manager = LogManager.Open(new LogManagerConfig { LogDirs = [dir.Path], ProducerIdExpirationMs = 5_000, ProducerIdExpirationCheckIntervalMs = 1_000 }, LogConfig.Default, time: time);
        var log = manager.GetOrCreate(LogTestExtensions.Tp, LogConfig.Default);
        log.Append(Idempotent(Pid, 0, 0, timestamp: 1_000), 0, null);

        manager.RunMaintenance(3_000);
        Assert.Equal(1, log.ProducerCount);
        manager.RunMaintenance(6_000);
        Assert.Equal(0, log.ProducerCount);
    }

    [Fact]
    public void Retention_past_a_producers_last_batch_forgets_the_producer()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir, LogConfig.Default with { FileDeleteDelayMs = 0 });
        log.Append(Idempotent(Pid, 0, 0), 0, null);
        log.Roll();
        log.Append(Idempotent(Pid + 1, 0, 0), 0, null);
        log.HighWatermark = log.LogEndOffset;

        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(1));

        Assert.Null(log.FindProducer(Pid));
        Assert.NotNull(log.FindProducer(Pid + 1));
    }

    [Fact]
    public void Replicated_batches_skip_the_sequence_checks_but_update_the_state()
    {
        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 0, 0), 0, null);
        log.Append(Idempotent(Pid, 0, 9), 0, null, AppendOrigin.Replication);
        Assert.Equal(9, log.FindProducer(Pid)!.LastSequence);
    }

    [Fact]
    public void Snapshot_format_round_trips_and_is_frozen()
    {
        var snapshotBytes = Snapshot([]);
        Assert.Equal("0001" + Crc(snapshotBytes) + "00000000", Convert.ToHexString(snapshotBytes));

        using var dir = new TempDir();
        using var log = OpenLog(dir);
        log.Append(Idempotent(Pid, 2, 5, count: 3, timestamp: 1234), 0, null);
        log.Close();
        var file = File.ReadAllBytes(LogFileNames.SnapshotFile(dir.Path, 3));
        Assert.Equal(ProducerSnapshotFile.HeaderSize + ProducerSnapshotFile.ProducerSize + ProducerSnapshotFile.BatchSize, file.Length);
        var parsed = Assert.Single(ProducerSnapshotFile.Parse(file));
        Assert.Equal(Pid, parsed.ProducerId);
        Assert.Equal(2, parsed.Epoch);
        Assert.Equal(1234, parsed.LastTimestamp);
        Assert.Equal(new ProducerBatchMetadata(5, 7, 2, 2, 1234), Assert.Single(parsed.Batches));
        Assert.Equal(file, Snapshot(ProducerSnapshotFile.Parse(file)));

        static byte[] Snapshot(IReadOnlyCollection<ProducerStateEntry> entries)
        {
            var writer = new System.Buffers.ArrayBufferWriter<byte>();
            ProducerSnapshotFile.Format(writer, entries);
            return writer.WrittenSpan.ToArray();
        }

        static string Crc(byte[] bytes) => Convert.ToHexString(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Strom.Protocol.Primitives.Crc32C.Compute(bytes.AsSpan(6)))));
    }

    [Fact]
    public void Snapshot_parsing_rejects_counts_beyond_the_file()
    {
        var bytes = new byte[ProducerSnapshotFile.HeaderSize];
        bytes[1] = 1;
        bytes[6] = 0x7F; // two billion producers in ten bytes
        var crc = Strom.Protocol.Primitives.Crc32C.Compute(bytes.AsSpan(6));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), crc);
        Assert.Throws<StorageException>(() => ProducerSnapshotFile.Parse(bytes));
    }
}
