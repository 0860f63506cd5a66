using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The error conditions the spec defines (AMQP 1.0 §2.8.15–2.8.18).</summary>
public static class ErrorCondition
{
    /// <summary><c>amqp:internal-error</c>: an internal error occurred.</summary>
    public static readonly AmqpSymbol InternalError = new("amqp:internal-error");

    /// <summary><c>amqp:not-found</c>: a peer attempted to work with a remote entity that does not exist.</summary>
    public static readonly AmqpSymbol NotFound = new("amqp:not-found");

    /// <summary><c>amqp:unauthorized-access</c>: a peer attempted to work with a remote entity it has no access to.</summary>
    public static readonly AmqpSymbol UnauthorizedAccess = new("amqp:unauthorized-access");

    /// <summary><c>amqp:decode-error</c>: data could not be decoded.</summary>
    public static readonly AmqpSymbol DecodeError = new("amqp:decode-error");

    /// <summary><c>amqp:resource-limit-exceeded</c>: a peer exceeded its resource allocation.</summary>
    public static readonly AmqpSymbol ResourceLimitExceeded = new("amqp:resource-limit-exceeded");

    /// <summary><c>amqp:not-allowed</c>: the peer tried to use a frame in a manner that is inconsistent with the spec.</summary>
    public static readonly AmqpSymbol NotAllowed = new("amqp:not-allowed");

    /// <summary><c>amqp:invalid-field</c>: an invalid field was passed in a frame body.</summary>
    public static readonly AmqpSymbol InvalidField = new("amqp:invalid-field");

    /// <summary><c>amqp:not-implemented</c>: the peer tried to use functionality that is not implemented.</summary>
    public static readonly AmqpSymbol NotImplemented = new("amqp:not-implemented");

    /// <summary><c>amqp:resource-locked</c>: the client attempted to work with a locked server object.</summary>
    public static readonly AmqpSymbol ResourceLocked = new("amqp:resource-locked");

    /// <summary><c>amqp:precondition-failed</c>: the client made a request that was not allowed because a precondition failed.</summary>
    public static readonly AmqpSymbol PreconditionFailed = new("amqp:precondition-failed");

    /// <summary><c>amqp:resource-deleted</c>: a server entity the client is working with has been deleted.</summary>
    public static readonly AmqpSymbol ResourceDeleted = new("amqp:resource-deleted");

    /// <summary><c>amqp:illegal-state</c>: the peer sent a frame that is not permitted in the current state.</summary>
    public static readonly AmqpSymbol IllegalState = new("amqp:illegal-state");

    /// <summary><c>amqp:frame-size-too-small</c>: the peer cannot send a frame because the smallest encoding does not fit.</summary>
    public static readonly AmqpSymbol FrameSizeTooSmall = new("amqp:frame-size-too-small");

    /// <summary><c>amqp:connection:forced</c>: an operator intervened to close the connection.</summary>
    public static readonly AmqpSymbol ConnectionForced = new("amqp:connection:forced");

    /// <summary><c>amqp:connection:framing-error</c>: a valid frame header cannot be formed from the incoming byte stream.</summary>
    public static readonly AmqpSymbol FramingError = new("amqp:connection:framing-error");

    /// <summary><c>amqp:connection:redirect</c>: the container is no longer available on this connection.</summary>
    public static readonly AmqpSymbol ConnectionRedirect = new("amqp:connection:redirect");

    /// <summary><c>amqp:session:window-violation</c>: the peer violated incoming window for the session.</summary>
    public static readonly AmqpSymbol WindowViolation = new("amqp:session:window-violation");

    /// <summary><c>amqp:session:errant-link</c>: input was received for a link that was detached with an error.</summary>
    public static readonly AmqpSymbol ErrantLink = new("amqp:session:errant-link");

    /// <summary><c>amqp:session:handle-in-use</c>: an attach was received using a handle that is already in use.</summary>
    public static readonly AmqpSymbol HandleInUse = new("amqp:session:handle-in-use");

    /// <summary><c>amqp:session:unattached-handle</c>: a frame (other than attach) was received referencing an unattached handle.</summary>
    public static readonly AmqpSymbol UnattachedHandle = new("amqp:session:unattached-handle");

    /// <summary><c>amqp:link:detach-forced</c>: an operator intervened to detach the link.</summary>
    public static readonly AmqpSymbol DetachForced = new("amqp:link:detach-forced");

    /// <summary><c>amqp:link:transfer-limit-exceeded</c>: the peer sent more message transfers than currently allowed on the link.</summary>
    public static readonly AmqpSymbol TransferLimitExceeded = new("amqp:link:transfer-limit-exceeded");

    /// <summary><c>amqp:link:message-size-exceeded</c>: the peer sent a message larger than the link's max-message-size.</summary>
    public static readonly AmqpSymbol MessageSizeExceeded = new("amqp:link:message-size-exceeded");

    /// <summary><c>amqp:link:redirect</c>: the address provided cannot be resolved to a terminus at the current container.</summary>
    public static readonly AmqpSymbol LinkRedirect = new("amqp:link:redirect");

    /// <summary><c>amqp:link:stolen</c>: the link has been attached elsewhere, causing the existing attachment to be forcibly closed.</summary>
    public static readonly AmqpSymbol Stolen = new("amqp:link:stolen");
}
