using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The accepted outcome (AMQP 1.0 §3.4.2), encoded <c>00 53 24 45</c>.</summary>
public sealed class Accepted : DeliveryState
{
    private Accepted()
    {
    }

    /// <summary>The only instance: accepted has no fields.</summary>
    public static Accepted Instance { get; } = new();

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Accepted;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer)
    {
        writer.WriteDescriptor(Descriptors.Accepted);
        writer.EndList(writer.BeginList(), 0);
    }

    /// <inheritdoc />
    public override string ToString() => "accepted()";
}
