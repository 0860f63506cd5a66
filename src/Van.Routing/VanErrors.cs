using Van.Core.Amqp.Encoding;

namespace Van.Routing;

/// <summary>
/// Error conditions a node puts in the <c>rejected</c> outcome it gives a sender, so a caller learns at once why its
/// message went nowhere.
/// </summary>
public static class VanErrors
{
    /// <summary>Nothing reachable serves the address (NATS's "no responders"): sent at once, not after a timeout.</summary>
    public static AmqpSymbol NoRoute { get; } = new("van:no-route");

    /// <summary>
    /// A link or node failed while the message was in flight beyond this node: it may or may not have reached a
    /// handler. Messages marked retryable (<see cref="RoutingAnnotationKeys.Retryable"/>) are re-routed instead.
    /// </summary>
    public static AmqpSymbol LinkLost { get; } = new("van:link-lost");

    /// <summary>The message has no address: neither the link's target nor its <c>to</c> property names one.</summary>
    public static AmqpSymbol NoAddress { get; } = new("van:no-address");
}
