using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// A delivery tag (AMQP 1.0 §2.8.7): an opaque binary of at most 32 bytes, held inline so that decoding a
/// transfer allocates nothing.
/// </summary>
public readonly struct DeliveryTag : IEquatable<DeliveryTag>
{
    /// <summary>The largest tag the spec allows, in bytes.</summary>
    public const int MaxLength = 32;

    private readonly Bytes32 _bytes;
    private readonly byte _length;

    /// <summary>Creates a tag holding a copy of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxLength"/> bytes.</exception>
    public DeliveryTag(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            throw new ArgumentException($"A delivery tag holds at most {MaxLength} bytes, not {bytes.Length}.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
        _length = (byte)bytes.Length;
    }

    /// <summary>The tag's length in bytes.</summary>
    public int Length => _length;

    /// <summary>An 8-byte big-endian tag made from a counter.</summary>
    public static DeliveryTag FromUInt64(ulong value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return new DeliveryTag(bytes);
    }

    /// <summary>Copies the tag's bytes to <paramref name="destination"/> and returns how many were copied.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Length"/>.</exception>
    public int CopyTo(Span<byte> destination)
    {
        ReadOnlySpan<byte> all = _bytes;
        all[.._length].CopyTo(destination);
        return _length;
    }

    /// <summary>The tag's bytes as a new array.</summary>
    public byte[] ToArray()
    {
        ReadOnlySpan<byte> all = _bytes;
        return all[.._length].ToArray();
    }

    /// <summary>Writes the tag as a binary (vbin8).</summary>
    public void WriteTo(AmqpWriter writer)
    {
        ReadOnlySpan<byte> all = _bytes;
        writer.WriteBinary(all[.._length]);
    }

    /// <inheritdoc />
    public bool Equals(DeliveryTag other)
    {
        ReadOnlySpan<byte> mine = _bytes;
        ReadOnlySpan<byte> theirs = other._bytes;
        return mine[.._length].SequenceEqual(theirs[..other._length]);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DeliveryTag other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        ReadOnlySpan<byte> all = _bytes;
        var hash = default(HashCode);
        hash.AddBytes(all[.._length]);
        return hash.ToHashCode();
    }

    /// <summary>The tag in hex, e.g. <c>0x31</c>.</summary>
    public override string ToString()
    {
        ReadOnlySpan<byte> all = _bytes;
        return "0x" + Convert.ToHexString(all[.._length]);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(DeliveryTag left, DeliveryTag right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(DeliveryTag left, DeliveryTag right) => !left.Equals(right);

    [InlineArray(MaxLength)]
    private struct Bytes32
    {
        private byte _element0;
    }
}
