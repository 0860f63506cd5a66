using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// The transfer performative (AMQP 1.0 §2.7.5): carries (part of) a message; the message bytes follow it in the
/// frame. Decoding into a reused instance allocates nothing unless a non-trivial delivery state is present.
/// </summary>
public sealed class Transfer : Performative
{
    private static readonly string[] Names =
    [
        "handle", "delivery-id", "delivery-tag", "message-format", "settled", "more", "rcv-settle-mode", "state",
        "resume", "aborted", "batchable",
    ];

    /// <summary>The link the transfer is on (mandatory).</summary>
    public uint Handle { get; set; }

    /// <summary>The delivery-id; required on a delivery's first frame, may be left out on continuations.</summary>
    public uint? DeliveryId { get; set; }

    /// <summary>The delivery tag; required on a delivery's first frame, may be left out on continuations.</summary>
    public DeliveryTag? DeliveryTag { get; set; }

    /// <summary>The message format (0 for AMQP messages), or null.</summary>
    public uint? MessageFormat { get; set; }

    /// <summary>Whether the sender has settled the delivery; null when absent (unsettled on a first frame).</summary>
    public bool? Settled { get; set; }

    /// <summary>More frames of this delivery follow.</summary>
    public bool More { get; set; }

    /// <summary>Overrides the link's receiver settle mode for this delivery, or null.</summary>
    public ReceiverSettleMode? RcvSettleMode { get; set; }

    /// <summary>The delivery's state (e.g. when resuming or in a transaction), or null.</summary>
    public DeliveryState? State { get; set; }

    /// <summary>The transfer resumes a delivery from an earlier link attachment.</summary>
    public bool Resume { get; set; }

    /// <summary>The delivery is aborted; its earlier frames are to be discarded.</summary>
    public bool Aborted { get; set; }

    /// <summary>The receiver may delay its disposition for this delivery.</summary>
    public bool Batchable { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Transfer;

    private protected override string TypeName => "transfer";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount =>
        Batchable ? 11
        : Aborted ? 10
        : Resume ? 9
        : State is not null ? 8
        : RcvSettleMode is not null ? 7
        : More ? 6
        : Settled is not null ? 5
        : MessageFormat is not null ? 4
        : DeliveryTag is not null ? 3
        : DeliveryId is not null ? 2
        : 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: writer.WriteUInt(Handle); break;
            case 1: FieldCodec.WriteUInt(writer, DeliveryId); break;
            case 2:
                if (DeliveryTag is { } tag)
                {
                    tag.WriteTo(writer);
                }
                else
                {
                    writer.WriteNull();
                }

                break;
            case 3: FieldCodec.WriteUInt(writer, MessageFormat); break;
            case 4: FieldCodec.WriteBoolean(writer, Settled); break;
            case 5: writer.WriteBoolean(More); break;
            case 6:
                if (RcvSettleMode is { } mode)
                {
                    writer.WriteUByte((byte)mode);
                }
                else
                {
                    writer.WriteNull();
                }

                break;
            case 7: FieldCodec.WriteState(writer, State); break;
            case 8: writer.WriteBoolean(Resume); break;
            case 9: writer.WriteBoolean(Aborted); break;
            default: writer.WriteBoolean(Batchable); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: Handle = reader.ReadUInt(); break;
            case 1: DeliveryId = reader.ReadNullableUInt(); break;
            case 2:
                if (reader.TryReadNull())
                {
                    DeliveryTag = null;
                    break;
                }

                var bytes = reader.ReadBinary();
                DeliveryTag = bytes.Length <= Framing.DeliveryTag.MaxLength
                    ? new DeliveryTag(bytes)
                    : throw new AmqpDecodeException($"A delivery tag of {bytes.Length} bytes is over the {Framing.DeliveryTag.MaxLength}-byte limit.");
                break;
            case 3: MessageFormat = reader.ReadNullableUInt(); break;
            case 4: Settled = reader.ReadNullableBoolean(); break;
            case 5: More = FieldCodec.ReadBoolean(ref reader, false); break;
            case 6: RcvSettleMode = FieldCodec.ReadReceiverSettleMode(ref reader); break;
            case 7: State = FieldCodec.ReadState(ref reader); break;
            case 8: Resume = FieldCodec.ReadBoolean(ref reader, false); break;
            case 9: Aborted = FieldCodec.ReadBoolean(ref reader, false); break;
            default: Batchable = FieldCodec.ReadBoolean(ref reader, false); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        Handle = 0;
        DeliveryId = null;
        DeliveryTag = null;
        MessageFormat = null;
        Settled = null;
        More = false;
        RcvSettleMode = null;
        State = null;
        Resume = false;
        Aborted = false;
        Batchable = false;
    }

    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("handle", Handle)
        .Add("delivery-id", DeliveryId)
        .Add("delivery-tag", DeliveryTag)
        .Add("message-format", MessageFormat)
        .Add("settled", Settled)
        .Flag("more", More)
        .Add("rcv-settle-mode", RcvSettleMode)
        .Add("state", State)
        .Flag("resume", Resume)
        .Flag("aborted", Aborted)
        .Flag("batchable", Batchable);
}
