namespace Van.Core.Amqp.Encoding;

/// <summary>
/// Thrown when bytes are not a valid AMQP encoding. The only exception the decoder throws for bad input,
/// so a connection can turn it into <c>amqp:decode-error</c> or <c>amqp:connection:framing-error</c>.
/// </summary>
public sealed class AmqpDecodeException : Exception
{
    /// <summary>Creates the exception with a reason.</summary>
    public AmqpDecodeException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and a cause.</summary>
    public AmqpDecodeException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception without a reason.</summary>
    public AmqpDecodeException() : base("Invalid AMQP encoding.") { }
}
