using Confluent.Kafka;

namespace Strom.Interop.Tests;

public class LibraryTests
{
    // Proves that, with the empty librdkafka.redist stand-in, Confluent.Kafka really runs on
    // Debian's librdkafka (a missing native library would throw DllNotFoundException here).
    [Fact]
    public void ConfluentKafkaRunsOnTheSystemLibrdkafka()
    {
        Assert.True(File.Exists(NativeLibrdkafka.SystemPath), $"{NativeLibrdkafka.SystemPath} is missing: apt-get install -y librdkafka1 (test.sh does)");
        Assert.True(File.Exists(NativeLibrdkafka.CompatPath),
            $"{NativeLibrdkafka.CompatPath} was not built: it needs gcc and librdkafka1 at build time (apt-get install -y gcc librdkafka1, then rebuild)");

        var version = Library.VersionString;
        var maps = File.ReadAllText("/proc/self/maps");
        Console.WriteLine($"Confluent.Kafka {typeof(Library).Assembly.GetName().Version} on librdkafka {version}");

        Assert.Contains(NativeLibrdkafka.SystemPath, maps, StringComparison.Ordinal);
        Assert.Contains(NativeLibrdkafka.CompatPath, maps, StringComparison.Ordinal);
        Assert.True(Library.Version >= 0x020000ff, $"librdkafka {version} is older than 2.0.0");
    }
}
