using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The rejected outcome (AMQP 1.0 §3.4.3).</summary>
public sealed class Rejected : DeliveryState
{
    /// <summary>Creates a rejected outcome.</summary>
    public Rejected()
    {
    }

    /// <summary>Creates a rejected outcome with an error.</summary>
    public Rejected(Error? error) => Error = error;

    /// <summary>Why the message was rejected, or null.</summary>
    public Error? Error { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Rejected;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.Rejected, this, Error is null ? 0 : 1,
            static (w, s, _) => FieldCodec.WriteError(w, s.Error));

    internal static Rejected DecodeBody(ref AmqpReader reader)
    {
        var state = new Rejected();
        FieldCodec.ReadList(ref reader, state, 1, static (ref r, s, _) => s.Error = FieldCodec.ReadError(ref r));
        return state;
    }

    /// <inheritdoc />
    public override string ToString() => new FieldFormatter("rejected").Add("error", Error).ToString();
}
