namespace Van.Core.Amqp.Encoding;

/// <summary>An IEEE 754 decimal32, carried as its 4 raw bytes in network order (Van does no decimal arithmetic).</summary>
public readonly struct AmqpDecimal32 : IEquatable<AmqpDecimal32>
{
    private readonly byte[]? _bytes;

    /// <summary>Wraps 4 raw bytes.</summary>
    public AmqpDecimal32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 4)
        {
            throw new ArgumentException("decimal32 takes exactly 4 bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes is null ? new byte[4] : _bytes;

    /// <inheritdoc />
    public bool Equals(AmqpDecimal32 other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AmqpDecimal32 d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Bytes);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => "decimal32:" + Convert.ToHexString(Bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(AmqpDecimal32 left, AmqpDecimal32 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(AmqpDecimal32 left, AmqpDecimal32 right) => !left.Equals(right);
}
