using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The begin performative (AMQP 1.0 §2.7.2): starts a session on a channel.</summary>
public sealed class Begin : Performative
{
    private static readonly string[] Names =
    [
        "remote-channel", "next-outgoing-id", "incoming-window", "outgoing-window", "handle-max",
        "offered-capabilities", "desired-capabilities", "properties",
    ];

    /// <summary>The channel of the begin this one answers, or null when the sender starts the session.</summary>
    public ushort? RemoteChannel { get; set; }

    /// <summary>The transfer-id of the sender's next outgoing transfer (mandatory).</summary>
    public uint NextOutgoingId { get; set; }

    /// <summary>The sender's initial incoming window, in transfer frames (mandatory).</summary>
    public uint IncomingWindow { get; set; }

    /// <summary>The sender's initial outgoing window, in transfer frames (mandatory).</summary>
    public uint OutgoingWindow { get; set; }

    /// <summary>The highest link handle the sender accepts.</summary>
    public uint HandleMax { get; set; } = uint.MaxValue;

    /// <summary>Extensions the sender supports, or null.</summary>
    public AmqpSymbol[]? OfferedCapabilities { get; set; }

    /// <summary>Extensions the sender may use if the receiver supports them, or null.</summary>
    public AmqpSymbol[]? DesiredCapabilities { get; set; }

    /// <summary>Session properties, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? Properties { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Begin;

    private protected override string TypeName => "begin";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 0b1110;

    /// <inheritdoc />
    protected override int FieldCount =>
        Properties is not null ? 8
        : DesiredCapabilities is not null ? 7
        : OfferedCapabilities is not null ? 6
        : HandleMax != uint.MaxValue ? 5
        : 4;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0:
                if (RemoteChannel is { } channel)
                {
                    writer.WriteUShort(channel);
                }
                else
                {
                    writer.WriteNull();
                }

                break;
            case 1: writer.WriteUInt(NextOutgoingId); break;
            case 2: writer.WriteUInt(IncomingWindow); break;
            case 3: writer.WriteUInt(OutgoingWindow); break;
            case 4: FieldCodec.WriteUInt(writer, HandleMax == uint.MaxValue ? null : HandleMax); break;
            case 5: writer.WriteSymbolMultiple(OfferedCapabilities); break;
            case 6: writer.WriteSymbolMultiple(DesiredCapabilities); break;
            default: FieldCodec.WriteMap(writer, Properties); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: RemoteChannel = FieldCodec.ReadNullableUShort(ref reader); break;
            case 1: NextOutgoingId = reader.ReadUInt(); break;
            case 2: IncomingWindow = reader.ReadUInt(); break;
            case 3: OutgoingWindow = reader.ReadUInt(); break;
            case 4: HandleMax = FieldCodec.ReadUInt(ref reader, uint.MaxValue); break;
            case 5: OfferedCapabilities = reader.ReadSymbolMultiple(); break;
            case 6: DesiredCapabilities = reader.ReadSymbolMultiple(); break;
            default: Properties = reader.ReadSymbolMap(); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        RemoteChannel = null;
        NextOutgoingId = 0;
        IncomingWindow = 0;
        OutgoingWindow = 0;
        HandleMax = uint.MaxValue;
        OfferedCapabilities = null;
        DesiredCapabilities = null;
        Properties = null;
    }

    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("remote-channel", RemoteChannel)
        .Add("next-outgoing-id", NextOutgoingId)
        .Add("incoming-window", IncomingWindow)
        .Add("outgoing-window", OutgoingWindow)
        .Add("handle-max", HandleMax == uint.MaxValue ? null : HandleMax)
        .Add("offered-capabilities", OfferedCapabilities)
        .Add("desired-capabilities", DesiredCapabilities)
        .Add("properties", Properties);
}
