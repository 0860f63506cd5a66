using System.Buffers;

namespace Van.Core.Amqp.Encoding;

/// <summary>
/// A growable, contiguous buffer backed by pooled arrays. Contiguity lets the encoder write a
/// composite's header first and fix its size afterwards. Reuse one per connection (call
/// <see cref="Reset"/>) so that encoding a frame allocates nothing.
/// </summary>
public sealed class AmqpBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _length;

    /// <summary>Creates a buffer with the given initial capacity.</summary>
    public AmqpBuffer(int initialCapacity = 256)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes the buffer holds without growing.</summary>
    internal int Capacity => _array.Length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _length);

    /// <summary>Forgets what was written, keeping the storage.</summary>
    public void Reset() => _length = 0;

    /// <inheritdoc />
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_array.Length - _length))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _array.AsMemory(_length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _array.AsSpan(_length);
    }

    /// <summary>Reserves <paramref name="count"/> bytes at the end and returns them.</summary>
    internal Span<byte> Reserve(int count)
    {
        Ensure(count);
        var span = _array.AsSpan(_length, count);
        _length += count;
        return span;
    }

    /// <summary>Direct access to written bytes at <paramref name="offset"/> for back-patching.</summary>
    internal Span<byte> Slice(int offset, int count) => _array.AsSpan(offset, count);

    /// <summary>Drops bytes at the end.</summary>
    internal void Truncate(int length) => _length = length;

    /// <summary>Removes <paramref name="count"/> bytes at <paramref name="offset"/>, moving the rest left.</summary>
    internal void RemoveRange(int offset, int count)
    {
        var tail = _length - offset - count;
        _array.AsSpan(offset + count, tail).CopyTo(_array.AsSpan(offset));
        _length -= count;
    }

    /// <summary>Copies the written bytes to a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    private void Ensure(int count)
    {
        if (_array.Length - _length >= count)
        {
            return;
        }

        var size = Math.Max(_array.Length * 2, _length + count);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, _length).CopyTo(bigger);
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var a = _array;
        _array = [];
        _length = 0;
        if (a.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(a);
        }
    }
}
