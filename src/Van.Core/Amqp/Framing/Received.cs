using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The received state (AMQP 1.0 §3.4.1): how much of a message has arrived, for resuming a link.</summary>
public sealed class Received : DeliveryState
{
    /// <summary>The section the receiver has reached (mandatory).</summary>
    public uint SectionNumber { get; set; }

    /// <summary>The offset reached within that section (mandatory).</summary>
    public ulong SectionOffset { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Received;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.Received, this, 2, static (w, s, i) =>
        {
            if (i == 0)
            {
                w.WriteUInt(s.SectionNumber);
            }
            else
            {
                w.WriteULong(s.SectionOffset);
            }
        });

    internal static Received DecodeBody(ref AmqpReader reader)
    {
        var state = new Received();
        var count = FieldCodec.ReadList(ref reader, state, 2, static (ref r, s, i) =>
        {
            if (r.TryReadNull())
            {
                throw FieldCodec.Missing("received", i == 0 ? "section-number" : "section-offset");
            }

            if (i == 0)
            {
                s.SectionNumber = r.ReadUInt();
            }
            else
            {
                s.SectionOffset = r.ReadULong();
            }
        });
        return count >= 2 ? state : throw FieldCodec.Missing("received", count == 0 ? "section-number" : "section-offset");
    }

    /// <inheritdoc />
    public override string ToString() =>
        new FieldFormatter("received").Add("section-number", SectionNumber).Add("section-offset", SectionOffset).ToString();
}
