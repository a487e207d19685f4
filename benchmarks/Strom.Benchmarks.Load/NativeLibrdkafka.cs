using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Strom.Benchmarks.Load;

/// <summary>
/// Confluent.Kafka restores here with an empty librdkafka.redist stand-in, so it ships no native
/// library; point its "librdkafka" P/Invokes at the system's runtime library (Debian librdkafka1).
/// </summary>
internal static class NativeLibrdkafka
{
    private const string SystemPath = "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";

    [ModuleInitializer]
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "librdkafka")
        {
            return IntPtr.Zero;
        }
        return NativeLibrary.TryLoad(SystemPath, out var handle) || NativeLibrary.TryLoad("librdkafka.so.1", out handle)
            ? handle
            : IntPtr.Zero;
    }
}
