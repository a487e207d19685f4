using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Strom.Server;

/// <summary>
/// Kestrel's socket transport receives into one pool block per read, and its default blocks are
/// 4 KiB: a producer streaming megabytes costs a system call per 4 KiB. Kafka traffic comes in
/// large frames, so the host gives the transport 64 KiB blocks, pinned (they are handed to the
/// socket) and reused.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    /// <summary>Blocks kept for reuse; beyond this, returned blocks are left to the GC.</summary>
    private const int MaxRetained = 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _retained;
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
            block.Leased = true;
            return block;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true)) { Leased = true };
    }

    private void Return(Block block)
    {
        if (!_disposed && Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public bool Leased { get; set; }

        public Memory<byte> Memory => array;

        public void Dispose()
        {
            if (Leased)
            {
                Leased = false;
                pool.Return(this);
            }
        }
    }
}
