using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The flow performative (AMQP 1.0 §2.7.4): updates session windows and, with a handle, link credit.</summary>
public sealed class Flow : Performative
{
    private static readonly string[] Names =
    [
        "next-incoming-id", "incoming-window", "next-outgoing-id", "outgoing-window", "handle", "delivery-count",
        "link-credit", "available", "drain", "echo", "properties",
    ];

    /// <summary>The next transfer-id the sender expects, or null before the peer's begin has been seen.</summary>
    public uint? NextIncomingId { get; set; }

    /// <summary>The sender's incoming window, in transfer frames (mandatory).</summary>
    public uint IncomingWindow { get; set; }

    /// <summary>The transfer-id of the sender's next outgoing transfer (mandatory).</summary>
    public uint NextOutgoingId { get; set; }

    /// <summary>The sender's outgoing window, in transfer frames (mandatory).</summary>
    public uint OutgoingWindow { get; set; }

    /// <summary>The link this flow is about, or null for a session-only flow.</summary>
    public uint? Handle { get; set; }

    /// <summary>The link's delivery-count, or null.</summary>
    public uint? DeliveryCount { get; set; }

    /// <summary>The link credit, or null.</summary>
    public uint? LinkCredit { get; set; }

    /// <summary>How many messages the sender has waiting, or null.</summary>
    public uint? Available { get; set; }

    /// <summary>The sender should use up its credit and then advance the delivery-count.</summary>
    public bool Drain { get; set; }

    /// <summary>The receiver of this flow should answer with its own flow.</summary>
    public bool Echo { get; set; }

    /// <summary>Link state properties, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? Properties { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Flow;

    private protected override string TypeName => "flow";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 0b1110;

    /// <inheritdoc />
    protected override int FieldCount =>
        Properties is not null ? 11
        : Echo ? 10
        : Drain ? 9
        : Available is not null ? 8
        : LinkCredit is not null ? 7
        : DeliveryCount is not null ? 6
        : Handle is not null ? 5
        : 4;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: FieldCodec.WriteUInt(writer, NextIncomingId); break;
            case 1: writer.WriteUInt(IncomingWindow); break;
            case 2: writer.WriteUInt(NextOutgoingId); break;
            case 3: writer.WriteUInt(OutgoingWindow); break;
            case 4: FieldCodec.WriteUInt(writer, Handle); break;
            case 5: FieldCodec.WriteUInt(writer, DeliveryCount); break;
            case 6: FieldCodec.WriteUInt(writer, LinkCredit); break;
            case 7: FieldCodec.WriteUInt(writer, Available); break;
            case 8: writer.WriteBoolean(Drain); break;
            case 9: writer.WriteBoolean(Echo); break;
            default: FieldCodec.WriteMap(writer, Properties); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: NextIncomingId = reader.ReadNullableUInt(); break;
            case 1: IncomingWindow = reader.ReadUInt(); break;
            case 2: NextOutgoingId = reader.ReadUInt(); break;
            case 3: OutgoingWindow = reader.ReadUInt(); break;
            case 4: Handle = reader.ReadNullableUInt(); break;
            case 5: DeliveryCount = reader.ReadNullableUInt(); break;
            case 6: LinkCredit = reader.ReadNullableUInt(); break;
            case 7: Available = reader.ReadNullableUInt(); break;
            case 8: Drain = FieldCodec.ReadBoolean(ref reader, false); break;
            case 9: Echo = FieldCodec.ReadBoolean(ref reader, false); break;
            default: Properties = reader.ReadSymbolMap(); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        NextIncomingId = null;
        IncomingWindow = 0;
        NextOutgoingId = 0;
        OutgoingWindow = 0;
        Handle = null;
        DeliveryCount = null;
        LinkCredit = null;
        Available = null;
        Drain = false;
        Echo = false;
        Properties = null;
    }

    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("next-incoming-id", NextIncomingId)
        .Add("incoming-window", IncomingWindow)
        .Add("next-outgoing-id", NextOutgoingId)
        .Add("outgoing-window", OutgoingWindow)
        .Add("handle", Handle)
        .Add("delivery-count", DeliveryCount)
        .Add("link-credit", LinkCredit)
        .Add("available", Available)
        .Flag("drain", Drain)
        .Flag("echo", Echo)
        .Add("properties", Properties);
}
