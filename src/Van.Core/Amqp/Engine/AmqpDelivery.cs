using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>A message received on a link, with what the receiver needs to settle it.</summary>
public sealed class AmqpDelivery
{
    internal AmqpDelivery(ReceiverLink link, uint deliveryId, DeliveryTag tag, uint messageFormat, bool settled, ReadOnlyMemory<byte> payload)
    {
        Link = link;
        Reset(deliveryId, tag, messageFormat, settled, payload);
    }

    /// <summary>The link it arrived on.</summary>
    public ReceiverLink Link { get; }

    /// <summary>The session-scoped delivery id.</summary>
    public uint DeliveryId { get; private set; }

    /// <summary>The sender's delivery tag.</summary>
    public DeliveryTag Tag { get; private set; }

    /// <summary>The message format (0 for AMQP messages).</summary>
    public uint MessageFormat { get; private set; }

    /// <summary>True when the sender settled it (pre-settled, or settled later).</summary>
    public bool RemoteSettled { get; internal set; }

    /// <summary>True once we settled it.</summary>
    public bool LocalSettled { get; internal set; }

    /// <summary>
    /// The encoded message: every frame's payload joined. On a link whose handler takes reused deliveries
    /// (<see cref="ReceiverLink.SetReusingDeliveryHandler"/>), valid only while the handler runs.
    /// </summary>
    public ReadOnlyMemory<byte> Payload { get; private set; }

    /// <summary>The outcome we sent, if any.</summary>
    public DeliveryState? LocalState { get; internal set; }

    /// <summary>In its link's pool, waiting to be reused (guarded by the connection lock).</summary>
    internal bool Pooled { get; set; }

    /// <summary>Makes a pooled instance a new delivery. Caller holds the connection lock.</summary>
    internal void Reset(uint deliveryId, DeliveryTag tag, uint messageFormat, bool settled, ReadOnlyMemory<byte> payload)
    {
        DeliveryId = deliveryId;
        Tag = tag;
        MessageFormat = messageFormat;
        RemoteSettled = settled;
        LocalSettled = false;
        LocalState = null;
        Payload = payload;
        Pooled = false;
    }
}
