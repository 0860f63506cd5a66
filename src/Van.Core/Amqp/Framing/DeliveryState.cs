using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// The state of a delivery (AMQP 1.0 §3.4): an outcome (<see cref="Accepted"/>, <see cref="Rejected"/>,
/// <see cref="Released"/>, <see cref="Modified"/>), <see cref="Received"/>, or a transactional state.
/// </summary>
public abstract class DeliveryState
{
    /// <summary>Only the framing layer defines delivery states.</summary>
    private protected DeliveryState()
    {
    }

    /// <summary>The numeric descriptor of this state.</summary>
    public abstract ulong Descriptor { get; }

    /// <summary>Writes the state as a described list.</summary>
    public abstract void Encode(AmqpWriter writer);

    /// <summary>
    /// Reads a delivery state (a null is the caller's business). Accepted and released come back as their
    /// shared instances, so the common outcomes allocate nothing.
    /// </summary>
    /// <exception cref="AmqpDecodeException">Not a known delivery state, or malformed.</exception>
    public static DeliveryState Decode(ref AmqpReader reader)
    {
        var code = reader.ReadDescriptorCode();
        switch (code)
        {
            case Descriptors.Accepted:
                SkipList(ref reader);
                return Accepted.Instance;
            case Descriptors.Released:
                SkipList(ref reader);
                return Released.Instance;
            case Descriptors.Rejected:
                return Rejected.DecodeBody(ref reader);
            case Descriptors.Modified:
                return Modified.DecodeBody(ref reader);
            case Descriptors.Received:
                return Received.DecodeBody(ref reader);
            case Descriptors.TransactionalState:
                return TransactionalState.DecodeBody(ref reader);
            case Descriptors.Declared:
                return Declared.DecodeBody(ref reader);
            default:
                throw new AmqpDecodeException($"Unknown delivery state descriptor 0x{code:x}.");
        }
    }

    // Field-less states may still carry fields from a future spec version; they are ignored.
    private static void SkipList(ref AmqpReader reader)
    {
        _ = reader.ReadListHeader(out var end);
        reader.SkipTo(end);
    }
}
