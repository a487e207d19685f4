using System.Buffers;
using System.Reflection;

namespace Strom.Protocol.Tests.Messages;

/// <summary>
/// Calls a generated type's static TryRead through a typed delegate (SequenceReader is a ref
/// struct, so it cannot pass through reflection's object[] invoke).
/// </summary>
internal static class MessageCodec
{
    private delegate bool TryReadFunc<T>(ref SequenceReader<byte> reader, short version, out T? message);

    private static readonly MethodInfo ReadOpen = typeof(MessageCodec).GetMethod(nameof(ReadTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static IEnumerable<Type> AllMessageTypes() =>
        typeof(IKafkaMessage).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsNested && typeof(IKafkaMessage).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static short Const(Type type, string name) => (short)type.GetField(name)!.GetRawConstantValue()!;

    public static byte[] Write(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        message.Write(buffer, version);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <paramref name="type"/> from <paramref name="data"/>; null when incomplete.</summary>
    public static IKafkaMessage? Read(Type type, ReadOnlySequence<byte> data, short version, out long consumed)
    {
        var args = new object?[] { data, version, 0L };
        var result = (IKafkaMessage?)ReadOpen.MakeGenericMethod(type).Invoke(null, args);
        consumed = (long)args[2]!;
        return result;
    }

    private static IKafkaMessage? ReadTyped<T>(ReadOnlySequence<byte> data, short version, out long consumed)
        where T : class, IKafkaMessage
    {
        var method = typeof(T).GetMethod("TryRead", BindingFlags.Public | BindingFlags.Static)!;
        var tryRead = method.CreateDelegate<TryReadFunc<T>>();
        var reader = new SequenceReader<byte>(data);
        var ok = tryRead(ref reader, version, out var message);
        consumed = reader.Consumed;
        return ok ? message : null;
    }

    /// <summary>The same bytes as a chain of small segments, to exercise reads across segment edges.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, int segmentSize)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < data.Length; i += segmentSize)
        {
            var chunk = data.AsMemory(i, Math.Min(segmentSize, data.Length - i));
            if (first is null)
            {
                first = last = new Segment(chunk, 0);
            }
            else
            {
                last = last!.Append(chunk);
            }
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
