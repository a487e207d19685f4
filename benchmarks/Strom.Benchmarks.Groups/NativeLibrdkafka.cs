using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Strom.Benchmarks.Groups;

/// <summary>
/// Confluent.Kafka restores with an empty librdkafka.redist stand-in: point its P/Invokes at
/// librdkafka-compat.so (built next to this program), which depends on the system librdkafka.so.1.
/// Also the few mock-cluster entry points of librdkafka that Confluent.Kafka does not wrap.
/// </summary>
internal static partial class NativeLibrdkafka
{
    private const string SystemPath = "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";
    private const string Lib = "librdkafka";

    [ModuleInitializer]
    internal static void Register()
    {
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(NativeLibrdkafka).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Lib)
        {
            return IntPtr.Zero;
        }
        var compat = Path.Combine(AppContext.BaseDirectory, "librdkafka-compat.so");
        return NativeLibrary.TryLoad(compat, out var handle) || NativeLibrary.TryLoad(SystemPath, out handle) ? handle : IntPtr.Zero;
    }

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_new")]
    private static partial IntPtr ConfNew();

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_new")]
    private static partial IntPtr New(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_destroy")]
    private static partial void Destroy(IntPtr rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_handle_mock_cluster")]
    private static partial IntPtr HandleMockCluster(IntPtr rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    private static partial IntPtr MockBootstraps(IntPtr cluster);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MockTopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor);

    /// <summary>
    /// librdkafka's mock cluster (one broker) in this process, the reference that
    /// <c>kcat -X test.mock.num.brokers=1</c> starts, with <paramref name="topic"/> created
    /// through its C API (over the wire it auto-creates topics with 4 partitions only).
    /// </summary>
    public sealed class MockCluster : IDisposable
    {
        private IntPtr _rk;

        public MockCluster(string topic, int partitions)
        {
            var errstr = new byte[512];
            var conf = ConfNew();
            if (ConfSet(conf, "test.mock.num.brokers", "1", errstr, (nuint)errstr.Length) != 0)
            {
                throw new InvalidOperationException("test.mock.num.brokers: " + System.Text.Encoding.UTF8.GetString(errstr).TrimEnd('\0'));
            }
            _rk = New(0, conf, errstr, (nuint)errstr.Length);
            if (_rk == IntPtr.Zero)
            {
                throw new InvalidOperationException("rd_kafka_new: " + System.Text.Encoding.UTF8.GetString(errstr).TrimEnd('\0'));
            }
            var cluster = HandleMockCluster(_rk);
            var rc = MockTopicCreate(cluster, topic, partitions, 1);
            if (rc != 0)
            {
                throw new InvalidOperationException($"rd_kafka_mock_topic_create: error {rc}");
            }
            BootstrapServers = Marshal.PtrToStringUTF8(MockBootstraps(cluster))!;
        }

        public string BootstrapServers { get; }

        public void Dispose()
        {
            if (_rk != IntPtr.Zero)
            {
                Destroy(_rk);
                _rk = IntPtr.Zero;
            }
        }
    }
}
