using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>
/// Where the outcome of a delivery sent with <see cref="SenderLink.TrySend"/> goes, instead of a task: a router
/// forwarding a message passes the object that tracks it, so a send allocates nothing.
/// </summary>
internal interface IDeliveryOutcomeSink
{
    /// <summary>
    /// Called exactly once per delivery sent with this sink: with the state the receiver settled it with (null when it
    /// settled without one), or with <paramref name="failure"/> when the link, session or connection ended first (the
    /// delivery may or may not have been processed). <paramref name="token"/> is what the send passed, so a sink that
    /// is reused can tell a late call from the current one. Runs on the connection's reader loop (or on the thread that
    /// ended the link), outside the connection lock: it may send or settle on any connection, but must not block.
    /// </summary>
    void OnOutcome(DeliveryState? state, AmqpException? failure, int token);
}
