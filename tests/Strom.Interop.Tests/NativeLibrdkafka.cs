using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Strom.Interop.Tests;

/// <summary>
/// Confluent.Kafka is restored with an empty librdkafka.redist stand-in (see .ci/librdkafka-redist),
/// so it ships no native library. Its P/Invokes name "librdkafka", which the loader would look
/// up as librdkafka.so, a file only the -dev package has; point them at the runtime library
/// (Debian's librdkafka1) instead.
/// </summary>
internal static class NativeLibrdkafka
{
    public const string SystemPath = "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";

    [ModuleInitializer]
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "librdkafka")
        {
            return IntPtr.Zero;
        }
        if (NativeLibrary.TryLoad(SystemPath, out var handle) || NativeLibrary.TryLoad("librdkafka.so.1", out handle))
        {
            return handle;
        }
        return IntPtr.Zero;
    }
}
