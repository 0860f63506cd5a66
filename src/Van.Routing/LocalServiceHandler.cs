using Van.Core.Amqp.Framing;

namespace Van.Routing;

/// <summary>
/// Handles a message delivered to an in-process service on this node. <paramref name="message"/> is the encoded
/// AMQP message and is valid only until the returned task completes. The returned outcome (usually
/// <see cref="Accepted.Instance"/>) settles the delivery back to its sender.
/// </summary>
public delegate ValueTask<DeliveryState> LocalServiceHandler(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
