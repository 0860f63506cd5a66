using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The sasl-init frame (AMQP 1.0 §5.3.3.2): the client's chosen mechanism and first response.</summary>
public sealed class SaslInit : Performative
{
    private static readonly string[] Names = ["mechanism", "initial-response", "hostname"];

    /// <summary>The chosen mechanism (mandatory).</summary>
    public AmqpSymbol Mechanism { get; set; }

    /// <summary>The initial response, e.g. <c>\0user\0password</c> for PLAIN, or null.</summary>
    public byte[]? InitialResponse { get; set; }

    /// <summary>The host the client wants to reach, or null.</summary>
    public string? Hostname { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.SaslInit;

    private protected override string TypeName => "sasl-init";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount => Hostname is not null ? 3 : InitialResponse is not null ? 2 : 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: writer.WriteSymbol(Mechanism); break;
            case 1: FieldCodec.WriteBinary(writer, InitialResponse); break;
            default: FieldCodec.WriteString(writer, Hostname); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: Mechanism = reader.ReadSymbol(); break;
            case 1: InitialResponse = reader.ReadNullableBinaryArray(); break;
            default: Hostname = reader.ReadNullableString(); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        Mechanism = default;
        InitialResponse = null;
        Hostname = null;
    }

    // The initial response may hold a password, so only its length is logged.
    private protected override void Format(FieldFormatter formatter) => formatter
        .Add("mechanism", Mechanism)
        .Add("initial-response", InitialResponse is null ? null : $"<{InitialResponse.Length} bytes>")
        .Add("hostname", Hostname);
}
