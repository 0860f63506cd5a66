using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>A message received on a link, with what the receiver needs to settle it.</summary>
public sealed class AmqpDelivery
{
    internal AmqpDelivery(ReceiverLink link, uint deliveryId, DeliveryTag tag, uint messageFormat, bool settled, ReadOnlyMemory<byte> payload)
    {
        Link = link;
        DeliveryId = deliveryId;
        Tag = tag;
        MessageFormat = messageFormat;
        RemoteSettled = settled;
        Payload = payload;
    }

    /// <summary>The link it arrived on.</summary>
    public ReceiverLink Link { get; }

    /// <summary>The session-scoped delivery id.</summary>
    public uint DeliveryId { get; }

    /// <summary>The sender's delivery tag.</summary>
    public DeliveryTag Tag { get; }

    /// <summary>The message format (0 for AMQP messages).</summary>
    public uint MessageFormat { get; }

    /// <summary>True when the sender settled it (pre-settled, or settled later).</summary>
    public bool RemoteSettled { get; internal set; }

    /// <summary>True once we settled it.</summary>
    public bool LocalSettled { get; internal set; }

    /// <summary>The encoded message: every frame's payload joined.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The outcome we sent, if any.</summary>
    public DeliveryState? LocalState { get; internal set; }
}
