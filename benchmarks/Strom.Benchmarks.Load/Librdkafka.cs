using System.Runtime.InteropServices;
using System.Text;

namespace Strom.Benchmarks.Load;

/// <summary>
/// The few librdkafka C functions used directly: the mock cluster's C API, and a plain
/// consumer. Confluent.Kafka 2.15.1's consumer calls rd_kafka_message_leader_epoch, which
/// Debian's librdkafka 2.0.2 lacks, so consuming goes through the C API instead: the simple
/// (group-less) consumer kcat -C uses, which needs no group coordinator. The producer works as is.
/// </summary>
internal static unsafe partial class Librdkafka
{
    public const string Path = "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";
    public const int ProducerType = 0;
    public const int ConsumerType = 1;

    /// <summary>rd_kafka_message_t: the leading fields, as laid out by the C header.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Message
    {
        public int Err;
        public IntPtr Topic;
        public int Partition;
        public IntPtr Payload;
        public nuint Length;
        public IntPtr Key;
        public nuint KeyLength;
        public long Offset;
    }

    /// <summary>A configuration from key/value pairs; throws with librdkafka's message on a bad key.</summary>
    public static IntPtr Configure(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var conf = ConfNew();
        var errors = stackalloc byte[512];
        foreach (var (key, value) in settings)
        {
            if (ConfSet(conf, key, value, errors, 512) != 0)
            {
                throw new ArgumentException($"{key}={value}: {Marshal.PtrToStringUTF8((IntPtr)errors)}");
            }
        }
        return conf;
    }

    /// <summary>A client handle (producer or consumer); takes ownership of <paramref name="conf"/>.</summary>
    public static IntPtr Create(int type, IntPtr conf)
    {
        var errors = stackalloc byte[512];
        var rk = New(type, conf, errors, 512);
        return rk != IntPtr.Zero ? rk : throw new InvalidOperationException($"rd_kafka_new: {Marshal.PtrToStringUTF8((IntPtr)errors)}");
    }

    public static string? ErrorName(int err) => Marshal.PtrToStringUTF8(Err2Str(err));

    [LibraryImport(Path, EntryPoint = "rd_kafka_conf_new")]
    private static partial IntPtr ConfNew();

    [LibraryImport(Path, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ConfSet(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Path, EntryPoint = "rd_kafka_new")]
    private static partial IntPtr New(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Path, EntryPoint = "rd_kafka_err2str")]
    private static partial IntPtr Err2Str(int err);

    [LibraryImport(Path, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(IntPtr rk);

    [LibraryImport(Path, EntryPoint = "rd_kafka_handle_mock_cluster")]
    public static partial IntPtr HandleMockCluster(IntPtr rk);

    [LibraryImport(Path, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(IntPtr cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Path, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial IntPtr MockBootstraps(IntPtr cluster);

    [LibraryImport(Path, EntryPoint = "rd_kafka_topic_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr TopicNew(IntPtr rk, string topic, IntPtr conf);

    [LibraryImport(Path, EntryPoint = "rd_kafka_topic_destroy")]
    public static partial void TopicDestroy(IntPtr rkt);

    [LibraryImport(Path, EntryPoint = "rd_kafka_queue_new")]
    public static partial IntPtr QueueNew(IntPtr rk);

    [LibraryImport(Path, EntryPoint = "rd_kafka_queue_destroy")]
    public static partial void QueueDestroy(IntPtr queue);

    [LibraryImport(Path, EntryPoint = "rd_kafka_consume_start_queue")]
    public static partial int ConsumeStartQueue(IntPtr rkt, int partition, long offset, IntPtr queue);

    [LibraryImport(Path, EntryPoint = "rd_kafka_consume_stop")]
    public static partial int ConsumeStop(IntPtr rkt, int partition);

    [LibraryImport(Path, EntryPoint = "rd_kafka_consume_queue")]
    public static partial Message* ConsumeQueue(IntPtr queue, int timeoutMs);

    [LibraryImport(Path, EntryPoint = "rd_kafka_query_watermark_offsets", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int QueryWatermarkOffsets(IntPtr rk, string topic, int partition, out long low, out long high, int timeoutMs);

    [LibraryImport(Path, EntryPoint = "rd_kafka_last_error")]
    public static partial int LastError();

    [LibraryImport(Path, EntryPoint = "rd_kafka_message_destroy")]
    public static partial void MessageDestroy(Message* message);

}
