using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Strom.Storage.Cleaner;

/// <summary>
/// The cleaner's map from record key to the latest offset holding it, built over the dirty
/// section. Keys are compared by content; lookups by span do not allocate.
/// </summary>
internal sealed class KeyOffsetMap
{
    private readonly Dictionary<byte[], long> _map = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public KeyOffsetMap() => _lookup = _map.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _map.Count;

    /// <summary>Records <paramref name="offset"/> for the key; offsets arrive in ascending order.</summary>
    public void Put(ReadOnlySpan<byte> key, long offset) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_lookup, key, out _) = offset;

    public bool TryGet(ReadOnlySpan<byte> key, out long offset) => _lookup.TryGetValue(key, out offset);

    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode([DisallowNull] byte[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> key)
        {
            var hash = new HashCode();
            hash.AddBytes(key);
            return hash.ToHashCode();
        }
    }
}
