using Confluent.Kafka;

namespace Strom.Interop.Tests;

public class LibraryTests
{
    // Proves that the empty librdkafka.redist stand-in really leads to Debian's librdkafka
    // being loaded (a missing native library would throw DllNotFoundException here).
    [Fact]
    public void ConfluentKafkaLoadsTheSystemLibrdkafka()
    {
        var version = Library.VersionString;
        Console.WriteLine($"Confluent.Kafka {typeof(Library).Assembly.GetName().Version} on librdkafka {version} from {NativeLibrdkafka.SystemPath}");
        Assert.True(Library.Version >= 0x020000ff, $"librdkafka {version} is older than 2.0.0");
    }
}
