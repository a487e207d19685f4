using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Strom.Interop.Tests;

/// <summary>
/// Confluent.Kafka is restored with an empty librdkafka.redist stand-in (.ci/librdkafka-redist),
/// so it ships no native library. Its P/Invokes name "librdkafka", which the loader would look
/// up as librdkafka.so, a file only the -dev package has. Point them at librdkafka-compat.so
/// (Native/rdkafka_compat.c: three functions newer than Debian's librdkafka 2.0.2), which
/// depends on the system's librdkafka.so.1 for everything else.
/// </summary>
internal static class NativeLibrdkafka
{
    public const string SystemPath = "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";

    public static string CompatPath { get; } = Path.Combine(AppContext.BaseDirectory, "librdkafka-compat.so");

    [ModuleInitializer]
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "librdkafka")
        {
            return IntPtr.Zero;
        }
        if (NativeLibrary.TryLoad(CompatPath, out var handle) || NativeLibrary.TryLoad(SystemPath, out handle))
        {
            return handle;
        }
        return IntPtr.Zero;
    }
}
