using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The source terminus of a link (AMQP 1.0 §3.5.3), a described list with descriptor 0x28.</summary>
public sealed class Source
{
    private const int KnownFields = 11;

    /// <summary>The address of the source node, or null (e.g. for a dynamic node not yet created).</summary>
    public string? Address { get; set; }

    /// <summary>What terminus state is retained durably.</summary>
    public TerminusDurability Durable { get; set; }

    /// <summary>When the expiry timer starts; null means the spec default, <c>session-end</c>.</summary>
    public AmqpSymbol? ExpiryPolicy { get; set; }

    /// <summary>How long, in seconds, the terminus lives after the expiry policy triggers.</summary>
    public uint Timeout { get; set; }

    /// <summary>Ask the peer to create the node (and make up its address).</summary>
    public bool Dynamic { get; set; }

    /// <summary>Properties of the node to create dynamically, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? DynamicNodeProperties { get; set; }

    /// <summary>The distribution mode (<c>move</c> or <c>copy</c>), or null.</summary>
    public AmqpSymbol? DistributionMode { get; set; }

    /// <summary>Filters by name; values are usually described types (<see cref="AmqpDescribed"/>). Null when none.</summary>
    public Dictionary<AmqpSymbol, object?>? Filter { get; set; }

    /// <summary>The outcome of deliveries that are settled without one, or null.</summary>
    public DeliveryState? DefaultOutcome { get; set; }

    /// <summary>The outcomes this source supports, or null.</summary>
    public AmqpSymbol[]? Outcomes { get; set; }

    /// <summary>The capabilities of the source, or null.</summary>
    public AmqpSymbol[]? Capabilities { get; set; }

    private int FieldCount =>
        Capabilities is not null ? 11
        : Outcomes is not null ? 10
        : DefaultOutcome is not null ? 9
        : Filter is not null ? 8
        : DistributionMode is not null ? 7
        : DynamicNodeProperties is not null ? 6
        : Dynamic ? 5
        : Timeout != 0 ? 4
        : ExpiryPolicy is not null ? 3
        : Durable != TerminusDurability.None ? 2
        : Address is not null ? 1
        : 0;

    /// <summary>Writes the source as a described list, leaving out trailing fields at their default.</summary>
    public void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.Source, this, FieldCount, static (w, s, i) =>
        {
            switch (i)
            {
                case 0: FieldCodec.WriteString(w, s.Address); break;
                case 1: w.WriteUInt((uint)s.Durable); break;
                case 2: FieldCodec.WriteSymbol(w, s.ExpiryPolicy); break;
                case 3: w.WriteUInt(s.Timeout); break;
                case 4: w.WriteBoolean(s.Dynamic); break;
                case 5: FieldCodec.WriteMap(w, s.DynamicNodeProperties); break;
                case 6: FieldCodec.WriteSymbol(w, s.DistributionMode); break;
                case 7: FieldCodec.WriteMap(w, s.Filter); break;
                case 8: FieldCodec.WriteState(w, s.DefaultOutcome); break;
                case 9: w.WriteSymbolMultiple(s.Outcomes); break;
                default: w.WriteSymbolMultiple(s.Capabilities); break;
            }
        });

    /// <summary>Reads a source (a null is the caller's business).</summary>
    /// <exception cref="AmqpDecodeException">Not a source, or malformed.</exception>
    public static Source Decode(ref AmqpReader reader)
    {
        FieldCodec.ReadDescriptor(ref reader, "source", Descriptors.Source);
        var source = new Source();
        FieldCodec.ReadList(ref reader, source, KnownFields, static (ref r, s, i) =>
        {
            switch (i)
            {
                case 0: s.Address = FieldCodec.ReadAddress(ref r); break;
                case 1: s.Durable = FieldCodec.ReadDurability(ref r); break;
                case 2: s.ExpiryPolicy = r.ReadNullableSymbol(); break;
                case 3: s.Timeout = FieldCodec.ReadUInt(ref r, 0); break;
                case 4: s.Dynamic = FieldCodec.ReadBoolean(ref r, false); break;
                case 5: s.DynamicNodeProperties = r.ReadSymbolMap(); break;
                case 6: s.DistributionMode = r.ReadNullableSymbol(); break;
                case 7: s.Filter = r.ReadSymbolMap(); break;
                case 8: s.DefaultOutcome = FieldCodec.ReadState(ref r); break;
                case 9: s.Outcomes = r.ReadSymbolMultiple(); break;
                default: s.Capabilities = r.ReadSymbolMultiple(); break;
            }
        });
        return source;
    }

    /// <inheritdoc />
    public override string ToString() =>
        new FieldFormatter("source")
            .Add("address", Address)
            .Add("durable", Durable == TerminusDurability.None ? null : Durable)
            .Add("expiry-policy", ExpiryPolicy)
            .Add("timeout", Timeout == 0 ? null : Timeout)
            .Flag("dynamic", Dynamic)
            .Add("dynamic-node-properties", DynamicNodeProperties)
            .Add("distribution-mode", DistributionMode)
            .Add("filter", Filter)
            .Add("default-outcome", DefaultOutcome)
            .Add("outcomes", Outcomes)
            .Add("capabilities", Capabilities)
            .ToString();
}
