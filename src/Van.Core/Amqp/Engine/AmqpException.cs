using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>An AMQP error: from the peer (in a close, end, detach or rejected outcome) or raised locally.</summary>
public class AmqpException : Exception
{
    /// <summary>Creates the exception for an AMQP error.</summary>
    public AmqpException(Error error)
        : base(error is null ? "AMQP error." : $"{error.Condition}: {error.Description}")
    {
        Error = error ?? new Error { Condition = ErrorCondition.InternalError };
    }

    /// <summary>Creates the exception for an AMQP error caused by another exception (a transport failure, say).</summary>
    public AmqpException(Error error, Exception? innerException)
        : base(error is null ? "AMQP error." : $"{error.Condition}: {error.Description}", innerException)
    {
        Error = error ?? new Error { Condition = ErrorCondition.InternalError };
    }

    /// <summary>Creates the exception for a condition and description.</summary>
    public AmqpException(Van.Core.Amqp.Encoding.AmqpSymbol condition, string description)
        : this(new Error { Condition = condition, Description = description })
    {
    }

    /// <summary>Creates an internal-error exception.</summary>
    public AmqpException() : this(new Error { Condition = ErrorCondition.InternalError }) { }

    /// <summary>Creates an internal-error exception with a message.</summary>
    public AmqpException(string message) : this(ErrorCondition.InternalError, message) { }

    /// <summary>Creates an internal-error exception with a message and cause.</summary>
    public AmqpException(string message, Exception innerException) : base(message, innerException)
    {
        Error = new Error { Condition = ErrorCondition.InternalError, Description = message };
    }

    /// <summary>The AMQP error.</summary>
    public Error Error { get; }

    /// <summary>The condition, e.g. <c>amqp:unauthorized-access</c>.</summary>
    public Van.Core.Amqp.Encoding.AmqpSymbol Condition => Error.Condition;
}
