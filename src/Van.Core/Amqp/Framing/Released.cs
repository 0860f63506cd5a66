using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The released outcome (AMQP 1.0 §3.4.4), encoded <c>00 53 26 45</c>.</summary>
public sealed class Released : DeliveryState
{
    private Released()
    {
    }

    /// <summary>The only instance: released has no fields.</summary>
    public static Released Instance { get; } = new();

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Released;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer)
    {
        writer.WriteDescriptor(Descriptors.Released);
        writer.EndList(writer.BeginList(), 0);
    }

    /// <inheritdoc />
    public override string ToString() => "released()";
}
