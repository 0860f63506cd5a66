using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The open performative (AMQP 1.0 §2.7.1): negotiates connection parameters.</summary>
public sealed class Open : Performative
{
    private static readonly string[] Names =
    [
        "container-id", "hostname", "max-frame-size", "channel-max", "idle-time-out", "outgoing-locales",
        "incoming-locales", "offered-capabilities", "desired-capabilities", "properties",
    ];

    /// <summary>The id of the sending container (mandatory).</summary>
    public string ContainerId { get; set; } = "";

    /// <summary>The virtual host the client wants, or null.</summary>
    public string? Hostname { get; set; }

    /// <summary>The largest frame the sender accepts; the default, uint.MaxValue, means no limit.</summary>
    public uint MaxFrameSize { get; set; } = uint.MaxValue;

    /// <summary>The highest channel number the sender accepts.</summary>
    public ushort ChannelMax { get; set; } = ushort.MaxValue;

    /// <summary>The sender's idle timeout in milliseconds, or null for none.</summary>
    public uint? IdleTimeOut { get; set; }

    /// <summary>Locales the sender can write, or null.</summary>
    public AmqpSymbol[]? OutgoingLocales { get; set; }

    /// <summary>Locales the sender can read, or null.</summary>
    public AmqpSymbol[]? IncomingLocales { get; set; }

    /// <summary>Extensions the sender supports, or null.</summary>
    public AmqpSymbol[]? OfferedCapabilities { get; set; }

    /// <summary>Extensions the sender may use if the receiver supports them, or null.</summary>
    public AmqpSymbol[]? DesiredCapabilities { get; set; }

    /// <summary>Connection properties, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? Properties { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Open;

    private protected override string TypeName => "open";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount =>
        Properties is not null ? 10
        : DesiredCapabilities is not null ? 9
        : OfferedCapabilities is not null ? 8
        : IncomingLocales is not null ? 7
        : OutgoingLocales is not null ? 6
        : IdleTimeOut is not null ? 5
        : ChannelMax != ushort.MaxValue ? 4
        : MaxFrameSize != uint.MaxValue ? 3
        : Hostname is not null ? 2
        : 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: writer.WriteString(ContainerId); break;
            case 1: FieldCodec.WriteString(writer, Hostname); break;

            // Unlimited is written as null, as Proton does; it is also the shortest encoding.
            case 2: FieldCodec.WriteUInt(writer, MaxFrameSize == uint.MaxValue ? null : MaxFrameSize); break;
            case 3:
                if (ChannelMax == ushort.MaxValue)
                {
                    writer.WriteNull();
                }
                else
                {
                    writer.WriteUShort(ChannelMax);
                }

                break;
            case 4: FieldCodec.WriteUInt(writer, IdleTimeOut); break;
            case 5: writer.WriteSymbolMultiple(OutgoingLocales); break;
            case 6: writer.WriteSymbolMultiple(IncomingLocales); break;
            case 7: writer.WriteSymbolMultiple(OfferedCapabilities); break;
            case 8: writer.WriteSymbolMultiple(DesiredCapabilities); break;
            default: FieldCodec.WriteMap(writer, Properties); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: ContainerId = reader.ReadString(); break;
            case 1: Hostname = reader.ReadNullableString(); break;
            case 2: MaxFrameSize = FieldCodec.ReadUInt(ref reader, uint.MaxValue); break;
            case 3: ChannelMax = reader.TryReadNull() ? ushort.MaxValue : reader.ReadUShort(); break;
            case 4: IdleTimeOut = reader.ReadNullableUInt(); break;
            case 5: OutgoingLocales = reader.ReadSymbolMultiple(); break;
            case 6: IncomingLocales = reader.ReadSymbolMultiple(); break;
            case 7: OfferedCapabilities = reader.ReadSymbolMultiple(); break;
            case 8: DesiredCapabilities = reader.ReadSymbolMultiple(); break;
            default: Properties = reader.ReadSymbolMap(); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        ContainerId = "";
        Hostname = null;
        MaxFrameSize = uint.MaxValue;
        ChannelMax = ushort.MaxValue;
        IdleTimeOut = null;
        OutgoingLocales = null;
        IncomingLocales = null;
        OfferedCapabilities = null;
        DesiredCapabilities = null;
        Properties = null;
    }

    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("container-id", ContainerId)
        .Add("hostname", Hostname)
        .Add("max-frame-size", MaxFrameSize == uint.MaxValue ? null : MaxFrameSize)
        .Add("channel-max", ChannelMax == ushort.MaxValue ? null : ChannelMax)
        .Add("idle-time-out", IdleTimeOut)
        .Add("outgoing-locales", OutgoingLocales)
        .Add("incoming-locales", IncomingLocales)
        .Add("offered-capabilities", OfferedCapabilities)
        .Add("desired-capabilities", DesiredCapabilities)
        .Add("properties", Properties);
}
