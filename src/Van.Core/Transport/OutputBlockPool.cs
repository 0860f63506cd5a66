using System.Buffers;
using System.Collections.Concurrent;

namespace Van.Core.Transport;

/// <summary>
/// The blocks output pipes are built of: 16 KiB each, kept for reuse up to a bound. The shared array pool keeps only a
/// few arrays of a size per core, so a burst of big messages queued for sending (megabytes in the pipe at once) ran it
/// dry and every further segment was a fresh array; this pool keeps what the burst needed for the next one. A block
/// is its own <see cref="IMemoryOwner{T}"/>, so renting one allocates nothing once the pool holds it.
/// </summary>
internal sealed class OutputBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 16 * 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _maxKept;
    private int _kept;

    public OutputBlockPool(int maxKept) => _maxKept = maxKept;

    /// <summary>The pool of every output pipe in the process: it keeps up to 1,024 blocks (16 MiB).</summary>
    public static new OutputBlockPool Shared { get; } = new(1024);

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting for reuse.</summary>
    public int Kept => Volatile.Read(ref _kept);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _kept);
            block.Rented = true;
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        // Shared for the life of the process.
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _kept) <= _maxKept)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _kept);
        }
    }

    private sealed class Block(OutputBlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);

        public bool Rented { get; set; } = true;

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            // A pipe gives a segment's memory back once; a second dispose must not put the block in the pool twice.
            if (Rented)
            {
                Rented = false;
                pool.Return(this);
            }
        }
    }
}
