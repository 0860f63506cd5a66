namespace Van;

/// <summary>
/// The message was rejected with an AMQP error condition other than "no route" or a handler failure: it could not be
/// decoded, a handler or an outside AMQP consumer refused it, or it was released by every instance tried.
/// </summary>
public sealed class VanRejectedException : VanException
{
    /// <summary>Creates the exception.</summary>
    public VanRejectedException(string address, string condition, string? description)
        : base(address, $"The message to '{address}' was rejected: {condition}{(description is null ? "" : $": {description}")}")
    {
        Condition = condition;
        Description = description;
    }

    /// <summary>The AMQP error condition (for example <c>amqp:decode-error</c>).</summary>
    public string Condition { get; }

    /// <summary>The error's description, when the peer gave one.</summary>
    public string? Description { get; }
}
