using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// A send failed before the message was wholly transferred (no credit came before the link ended, or the link ended
/// mid-message and the partial delivery is void): the receiver cannot have it, so it is safe to send it elsewhere.
/// A failure after the last frame went out surfaces as a plain <see cref="AmqpException"/>: the message may have
/// arrived.
/// </summary>
public sealed class AmqpDeliveryNotSentException : AmqpException
{
    /// <summary>Creates the exception for the link's error.</summary>
    public AmqpDeliveryNotSentException(Error error, Exception? innerException) : base(error, innerException)
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public AmqpDeliveryNotSentException() : base(new Error { Condition = ErrorCondition.DetachForced, Description = "The delivery was not sent." })
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public AmqpDeliveryNotSentException(string message) : base(new Error { Condition = ErrorCondition.DetachForced, Description = message })
    {
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    public AmqpDeliveryNotSentException(string message, Exception innerException)
        : base(new Error { Condition = ErrorCondition.DetachForced, Description = message }, innerException)
    {
    }
}
