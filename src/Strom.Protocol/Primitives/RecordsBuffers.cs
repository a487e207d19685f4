using System.Buffers;

namespace Strom.Protocol.Primitives;

/// <summary>
/// Where RECORDS fields are copied when a message is read. By default each gets a new array,
/// which the message then owns. A broker parsing a request on its connection thread can instead
/// rent them from the array pool for the request's lifetime: <see cref="Rent"/> opens a scope on
/// the current thread, and the caller returns the arrays once nothing refers to the records.
/// </summary>
public static class RecordsBuffers
{
    [ThreadStatic]
    private static List<byte[]>? t_rented;

    /// <summary>Until the scope is disposed, RECORDS read on this thread are rented into <paramref name="rented"/>.</summary>
    public static Scope Rent(List<byte[]> rented)
    {
        var previous = t_rented;
        t_rented = rented;
        return new Scope(previous);
    }

    /// <summary>Returns every array rented into the list to the pool and clears it.</summary>
    public static void Return(List<byte[]> rented)
    {
        foreach (var array in rented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        rented.Clear();
    }

    internal static ReadOnlyMemory<byte> Copy(ref SequenceReader<byte> reader, int length)
    {
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        byte[] array;
        if (t_rented is { } rented)
        {
            array = ArrayPool<byte>.Shared.Rent(length);
            rented.Add(array);
        }
        else
        {
            array = GC.AllocateUninitializedArray<byte>(length); // every byte is overwritten below
        }
        reader.TryCopyTo(array.AsSpan(0, length));
        reader.Advance(length);
        return array.AsMemory(0, length);
    }

    public readonly struct Scope(List<byte[]>? previous) : IDisposable
    {
        public void Dispose() => t_rented = previous;
    }
}
