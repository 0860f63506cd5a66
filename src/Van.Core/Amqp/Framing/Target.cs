using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// The target terminus of a link (AMQP 1.0 §3.5.4), a described list with descriptor 0x29; or, when
/// <see cref="IsCoordinator"/> is set, a transaction coordinator (§4.5.1, descriptor 0x30), of which only
/// <see cref="Capabilities"/> is carried.
/// </summary>
public sealed class Target
{
    private const int KnownFields = 7;

    /// <summary>The target is a transaction coordinator (descriptor 0x30) rather than a node.</summary>
    public bool IsCoordinator { get; set; }

    /// <summary>The address of the target node, or null (e.g. for an anonymous sender).</summary>
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

    /// <summary>The capabilities of the target (for a coordinator: the transaction capabilities), or null.</summary>
    public AmqpSymbol[]? Capabilities { get; set; }

    private int FieldCount =>
        Capabilities is not null ? 7
        : DynamicNodeProperties is not null ? 6
        : Dynamic ? 5
        : Timeout != 0 ? 4
        : ExpiryPolicy is not null ? 3
        : Durable != TerminusDurability.None ? 2
        : Address is not null ? 1
        : 0;

    /// <summary>Writes the target (or coordinator) as a described list, leaving out trailing fields at their default.</summary>
    public void Encode(AmqpWriter writer)
    {
        if (IsCoordinator)
        {
            FieldCodec.WriteDescribedList(writer, Descriptors.Coordinator, this, Capabilities is null ? 0 : 1,
                static (w, t, _) => w.WriteSymbolMultiple(t.Capabilities));
            return;
        }

        FieldCodec.WriteDescribedList(writer, Descriptors.Target, this, FieldCount, static (w, t, i) =>
        {
            switch (i)
            {
                case 0: FieldCodec.WriteString(w, t.Address); break;
                case 1: w.WriteUInt((uint)t.Durable); break;
                case 2: FieldCodec.WriteSymbol(w, t.ExpiryPolicy); break;
                case 3: w.WriteUInt(t.Timeout); break;
                case 4: w.WriteBoolean(t.Dynamic); break;
                case 5: FieldCodec.WriteMap(w, t.DynamicNodeProperties); break;
                default: w.WriteSymbolMultiple(t.Capabilities); break;
            }
        });
    }

    /// <summary>Reads a target or a coordinator (a null is the caller's business).</summary>
    /// <exception cref="AmqpDecodeException">Neither a target nor a coordinator, or malformed.</exception>
    public static Target Decode(ref AmqpReader reader)
    {
        var code = FieldCodec.ReadDescriptor(ref reader, "target", Descriptors.Target, Descriptors.Coordinator);
        var target = new Target();
        if (code == Descriptors.Coordinator)
        {
            target.IsCoordinator = true;
            FieldCodec.ReadList(ref reader, target, 1, static (ref r, t, _) => t.Capabilities = r.ReadSymbolMultiple());
            return target;
        }

        FieldCodec.ReadList(ref reader, target, KnownFields, static (ref r, t, i) =>
        {
            switch (i)
            {
                case 0: t.Address = FieldCodec.ReadAddress(ref r); break;
                case 1: t.Durable = FieldCodec.ReadDurability(ref r); break;
                case 2: t.ExpiryPolicy = r.ReadNullableSymbol(); break;
                case 3: t.Timeout = FieldCodec.ReadUInt(ref r, 0); break;
                case 4: t.Dynamic = FieldCodec.ReadBoolean(ref r, false); break;
                case 5: t.DynamicNodeProperties = r.ReadSymbolMap(); break;
                default: t.Capabilities = r.ReadSymbolMultiple(); break;
            }
        });
        return target;
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsCoordinator
            ? new FieldFormatter("coordinator").Add("capabilities", Capabilities).ToString()
            : new FieldFormatter("target")
                .Add("address", Address)
                .Add("durable", Durable == TerminusDurability.None ? null : Durable)
                .Add("expiry-policy", ExpiryPolicy)
                .Add("timeout", Timeout == 0 ? null : Timeout)
                .Flag("dynamic", Dynamic)
                .Add("dynamic-node-properties", DynamicNodeProperties)
                .Add("capabilities", Capabilities)
                .ToString();
}
