namespace Van.Core.Amqp.Encoding;

/// <summary>An IEEE 754 decimal128, carried as its 16 raw bytes in network order (Van does no decimal arithmetic).</summary>
public readonly struct AmqpDecimal128 : IEquatable<AmqpDecimal128>
{
    private readonly byte[]? _bytes;

    /// <summary>Wraps 16 raw bytes.</summary>
    public AmqpDecimal128(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 16)
        {
            throw new ArgumentException("decimal128 takes exactly 16 bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes is null ? new byte[16] : _bytes;

    /// <inheritdoc />
    public bool Equals(AmqpDecimal128 other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AmqpDecimal128 d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Bytes);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => "decimal128:" + Convert.ToHexString(Bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(AmqpDecimal128 left, AmqpDecimal128 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(AmqpDecimal128 left, AmqpDecimal128 right) => !left.Equals(right);
}
