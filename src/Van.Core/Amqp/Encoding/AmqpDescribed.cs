namespace Van.Core.Amqp.Encoding;

/// <summary>A described value the generic decoder does not know: a descriptor (ulong or symbol) and a value.</summary>
public sealed class AmqpDescribed : IEquatable<AmqpDescribed>
{
    /// <summary>Creates a described value.</summary>
    public AmqpDescribed(object descriptor, object? value)
    {
        Descriptor = descriptor ?? throw new ArgumentNullException(nameof(descriptor));
        Value = value;
    }

    /// <summary>The descriptor: a <see cref="ulong"/> code or an <see cref="AmqpSymbol"/>.</summary>
    public object Descriptor { get; }

    /// <summary>The described value.</summary>
    public object? Value { get; }

    /// <inheritdoc />
    public bool Equals(AmqpDescribed? other) =>
        other is not null && Descriptor.Equals(other.Descriptor) && AmqpValueComparer.Instance.Equals(Value, other.Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AmqpDescribed);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Descriptor, AmqpValueComparer.Instance.GetHashCode(Value));

    /// <inheritdoc />
    public override string ToString() => $"{Descriptor}:{Value}";
}
