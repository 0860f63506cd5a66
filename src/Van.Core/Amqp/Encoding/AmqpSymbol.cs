namespace Van.Core.Amqp.Encoding;

/// <summary>An AMQP symbol: a short ASCII name, distinct from a string on the wire.</summary>
public readonly struct AmqpSymbol : IEquatable<AmqpSymbol>
{
    /// <summary>Creates a symbol. Symbols are ASCII on the wire (§1.6.22), so other characters are refused here.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a character outside ASCII.</exception>
    public AmqpSymbol(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!System.Text.Ascii.IsValid(value))
        {
            throw new ArgumentException($"An AMQP symbol must be ASCII: '{value}'.", nameof(value));
        }

        Value = value;
    }

    /// <summary>The symbol's text (never null for a constructed symbol).</summary>
    public string Value { get => field ?? string.Empty; }

    /// <inheritdoc />
    public bool Equals(AmqpSymbol other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AmqpSymbol s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Wraps a string as a symbol.</summary>
    public static implicit operator AmqpSymbol(string value) => new(value);

    /// <summary>Equality.</summary>
    public static bool operator ==(AmqpSymbol left, AmqpSymbol right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(AmqpSymbol left, AmqpSymbol right) => !left.Equals(right);
}
