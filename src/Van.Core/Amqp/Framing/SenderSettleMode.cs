namespace Van.Core.Amqp.Framing;

/// <summary>When the sender settles deliveries (AMQP 1.0 §2.8.2), encoded as a ubyte.</summary>
public enum SenderSettleMode : byte
{
    /// <summary>The sender sends all deliveries unsettled.</summary>
    Unsettled = 0,

    /// <summary>The sender sends all deliveries settled.</summary>
    Settled = 1,

    /// <summary>The sender may send deliveries settled or unsettled (the spec default).</summary>
    Mixed = 2,
}
