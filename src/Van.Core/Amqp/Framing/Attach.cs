using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The attach performative (AMQP 1.0 §2.7.3): attaches a link endpoint to a session.</summary>
public sealed class Attach : Performative
{
    private static readonly string[] Names =
    [
        "name", "handle", "role", "snd-settle-mode", "rcv-settle-mode", "source", "target", "unsettled",
        "incomplete-unsettled", "initial-delivery-count", "max-message-size", "offered-capabilities",
        "desired-capabilities", "properties",
    ];

    /// <summary>The link's name, unique per pair of containers and direction (mandatory).</summary>
    public string Name { get; set; } = "";

    /// <summary>The handle the sender of this attach uses for the link (mandatory).</summary>
    public uint Handle { get; set; }

    /// <summary>The role of the sender of this attach (mandatory).</summary>
    public LinkRole Role { get; set; }

    /// <summary>The settlement policy of the link's sender.</summary>
    public SenderSettleMode SndSettleMode { get; set; } = SenderSettleMode.Mixed;

    /// <summary>The settlement policy of the link's receiver.</summary>
    public ReceiverSettleMode RcvSettleMode { get; set; } = ReceiverSettleMode.First;

    /// <summary>The source terminus, or null (a refused link, or an absent source).</summary>
    public Source? Source { get; set; }

    /// <summary>The target terminus (or coordinator), or null.</summary>
    public Target? Target { get; set; }

    /// <summary>Unsettled delivery state by delivery tag, as a raw map, or null.</summary>
    public Dictionary<object, object?>? Unsettled { get; set; }

    /// <summary>The unsettled map is incomplete.</summary>
    public bool IncompleteUnsettled { get; set; }

    /// <summary>The sender's delivery-count when the link starts; mandatory for a sender, null otherwise.</summary>
    public uint? InitialDeliveryCount { get; set; }

    /// <summary>The largest message the link accepts, in bytes; null or 0 means no limit.</summary>
    public ulong? MaxMessageSize { get; set; }

    /// <summary>Extensions the sender supports, or null.</summary>
    public AmqpSymbol[]? OfferedCapabilities { get; set; }

    /// <summary>Extensions the sender may use if the receiver supports them, or null.</summary>
    public AmqpSymbol[]? DesiredCapabilities { get; set; }

    /// <summary>Link properties, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? Properties { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Attach;

    private protected override string TypeName => "attach";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 0b111;

    /// <inheritdoc />
    protected override int FieldCount =>
        Properties is not null ? 14
        : DesiredCapabilities is not null ? 13
        : OfferedCapabilities is not null ? 12
        : MaxMessageSize is not null ? 11
        : InitialDeliveryCount is not null ? 10
        : IncompleteUnsettled ? 9
        : Unsettled is not null ? 8
        : Target is not null ? 7
        : Source is not null ? 6
        : RcvSettleMode != ReceiverSettleMode.First ? 5
        : SndSettleMode != SenderSettleMode.Mixed ? 4
        : 3;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: writer.WriteString(Name); break;
            case 1: writer.WriteUInt(Handle); break;
            case 2: writer.WriteBoolean(Role == LinkRole.Receiver); break;

            // Settle modes are written even at their default, as Proton does: a ubyte is as cheap as the null.
            case 3: writer.WriteUByte((byte)SndSettleMode); break;
            case 4: writer.WriteUByte((byte)RcvSettleMode); break;
            case 5:
                if (Source is null)
                {
                    writer.WriteNull();
                }
                else
                {
                    Source.Encode(writer);
                }

                break;
            case 6:
                if (Target is null)
                {
                    writer.WriteNull();
                }
                else
                {
                    Target.Encode(writer);
                }

                break;
            case 7: FieldCodec.WriteMap(writer, Unsettled); break;
            case 8: writer.WriteBoolean(IncompleteUnsettled); break;
            case 9: FieldCodec.WriteUInt(writer, InitialDeliveryCount); break;
            case 10: FieldCodec.WriteULong(writer, MaxMessageSize); break;
            case 11: writer.WriteSymbolMultiple(OfferedCapabilities); break;
            case 12: writer.WriteSymbolMultiple(DesiredCapabilities); break;
            default: FieldCodec.WriteMap(writer, Properties); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: Name = reader.ReadString(); break;
            case 1: Handle = reader.ReadUInt(); break;
            case 2: Role = FieldCodec.ReadRole(ref reader); break;
            case 3: SndSettleMode = FieldCodec.ReadSenderSettleMode(ref reader); break;
            case 4: RcvSettleMode = FieldCodec.ReadReceiverSettleMode(ref reader) ?? ReceiverSettleMode.First; break;
            case 5: Source = reader.TryReadNull() ? null : Source.Decode(ref reader); break;
            case 6: Target = reader.TryReadNull() ? null : Target.Decode(ref reader); break;
            case 7: Unsettled = reader.ReadMap(); break;
            case 8: IncompleteUnsettled = FieldCodec.ReadBoolean(ref reader, false); break;
            case 9: InitialDeliveryCount = reader.ReadNullableUInt(); break;
            case 10: MaxMessageSize = reader.ReadNullableULong(); break;
            case 11: OfferedCapabilities = reader.ReadSymbolMultiple(); break;
            case 12: DesiredCapabilities = reader.ReadSymbolMultiple(); break;
            default: Properties = reader.ReadSymbolMap(); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        Name = "";
        Handle = 0;
        Role = LinkRole.Sender;
        SndSettleMode = SenderSettleMode.Mixed;
        RcvSettleMode = ReceiverSettleMode.First;
        Source = null;
        Target = null;
        Unsettled = null;
        IncompleteUnsettled = false;
        InitialDeliveryCount = null;
        MaxMessageSize = null;
        OfferedCapabilities = null;
        DesiredCapabilities = null;
        Properties = null;
    }

    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("name", Name)
        .Add("handle", Handle)
        .Add("role", Role)
        .Add("snd-settle-mode", SndSettleMode == SenderSettleMode.Mixed ? null : SndSettleMode)
        .Add("rcv-settle-mode", RcvSettleMode == ReceiverSettleMode.First ? null : RcvSettleMode)
        .Add("source", Source)
        .Add("target", Target)
        .Add("unsettled", Unsettled)
        .Flag("incomplete-unsettled", IncompleteUnsettled)
        .Add("initial-delivery-count", InitialDeliveryCount)
        .Add("max-message-size", MaxMessageSize)
        .Add("offered-capabilities", OfferedCapabilities)
        .Add("desired-capabilities", DesiredCapabilities)
        .Add("properties", Properties);
}
