using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The modified outcome (AMQP 1.0 §3.4.5).</summary>
public sealed class Modified : DeliveryState
{
    /// <summary>Count this delivery as a failed attempt (the message's delivery-count goes up).</summary>
    public bool DeliveryFailed { get; set; }

    /// <summary>Do not redeliver the message to this link.</summary>
    public bool UndeliverableHere { get; set; }

    /// <summary>Message annotations to merge into the message, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? MessageAnnotations { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Modified;

    private int FieldCount => MessageAnnotations is not null ? 3 : UndeliverableHere ? 2 : DeliveryFailed ? 1 : 0;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.Modified, this, FieldCount, static (w, s, i) =>
        {
            switch (i)
            {
                case 0: w.WriteBoolean(s.DeliveryFailed); break;
                case 1: w.WriteBoolean(s.UndeliverableHere); break;
                default: FieldCodec.WriteMap(w, s.MessageAnnotations); break;
            }
        });

    internal static Modified DecodeBody(ref AmqpReader reader)
    {
        var state = new Modified();
        FieldCodec.ReadList(ref reader, state, 3, static (ref r, s, i) =>
        {
            switch (i)
            {
                case 0: s.DeliveryFailed = FieldCodec.ReadBoolean(ref r, false); break;
                case 1: s.UndeliverableHere = FieldCodec.ReadBoolean(ref r, false); break;
                default: s.MessageAnnotations = r.ReadSymbolMap(); break;
            }
        });
        return state;
    }

    /// <inheritdoc />
    public override string ToString() =>
        new FieldFormatter("modified").Flag("delivery-failed", DeliveryFailed).Flag("undeliverable-here", UndeliverableHere)
            .Add("message-annotations", MessageAnnotations).ToString();
}
