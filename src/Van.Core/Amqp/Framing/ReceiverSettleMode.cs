namespace Van.Core.Amqp.Framing;

/// <summary>When the receiver settles deliveries (AMQP 1.0 §2.8.3), encoded as a ubyte.</summary>
public enum ReceiverSettleMode : byte
{
    /// <summary>The receiver settles as soon as it has an outcome (the spec default).</summary>
    First = 0,

    /// <summary>The receiver settles only after the sender has settled.</summary>
    Second = 1,
}
