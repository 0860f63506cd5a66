using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The disposition performative (AMQP 1.0 §2.7.6): the state or settlement of a range of deliveries.</summary>
public sealed class Disposition : Performative
{
    private static readonly string[] Names = ["role", "first", "last", "settled", "state", "batchable"];

    /// <summary>
    /// The role of the sender of this disposition; <see cref="LinkRole.Receiver"/> means it is about deliveries the
    /// receiver of this frame sent (mandatory).
    /// </summary>
    public LinkRole Role { get; set; }

    /// <summary>The first delivery-id of the range (mandatory).</summary>
    public uint First { get; set; }

    /// <summary>The last delivery-id of the range; null means the range is just <see cref="First"/>.</summary>
    public uint? Last { get; set; }

    /// <summary>The deliveries are settled.</summary>
    public bool Settled { get; set; }

    /// <summary>The deliveries' state, or null.</summary>
    public DeliveryState? State { get; set; }

    /// <summary>The receiver of this frame may delay its answer.</summary>
    public bool Batchable { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Disposition;

    private protected override string TypeName => "disposition";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 0b11;

    /// <inheritdoc />
    protected override int FieldCount =>
        Batchable ? 6
        : State is not null ? 5
        : Settled ? 4
        : Last is not null ? 3
        : 2;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: writer.WriteBoolean(Role == LinkRole.Receiver); break;
            case 1: writer.WriteUInt(First); break;
            case 2: FieldCodec.WriteUInt(writer, Last); break;
            case 3: writer.WriteBoolean(Settled); break;
            case 4: FieldCodec.WriteState(writer, State); break;
            default: writer.WriteBoolean(Batchable); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: Role = FieldCodec.ReadRole(ref reader); break;
            case 1: First = reader.ReadUInt(); break;
            case 2: Last = reader.ReadNullableUInt(); break;
            case 3: Settled = FieldCodec.ReadBoolean(ref reader, false); break;
            case 4: State = FieldCodec.ReadState(ref reader); break;
            default: Batchable = FieldCodec.ReadBoolean(ref reader, false); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        Role = LinkRole.Sender;
        First = 0;
        Last = null;
        Settled = false;
        State = null;
        Batchable = false;
    }

    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("role", Role)
        .Add("first", First)
        .Add("last", Last)
        .Flag("settled", Settled)
        .Add("state", State)
        .Flag("batchable", Batchable);
}
