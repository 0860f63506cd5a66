namespace Van.Core.Amqp.Encoding;

/// <summary>An IEEE 754 decimal64, carried as its 8 raw bytes in network order (Van does no decimal arithmetic).</summary>
public readonly struct AmqpDecimal64 : IEquatable<AmqpDecimal64>
{
    private readonly byte[]? _bytes;

    /// <summary>Wraps 8 raw bytes.</summary>
    public AmqpDecimal64(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 8)
        {
            throw new ArgumentException("decimal64 takes exactly 8 bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes is null ? new byte[8] : _bytes;

    /// <inheritdoc />
    public bool Equals(AmqpDecimal64 other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AmqpDecimal64 d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Bytes);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => "decimal64:" + Convert.ToHexString(Bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(AmqpDecimal64 left, AmqpDecimal64 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(AmqpDecimal64 left, AmqpDecimal64 right) => !left.Equals(right);
}
