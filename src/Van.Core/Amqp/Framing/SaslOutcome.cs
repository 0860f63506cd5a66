using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The sasl-outcome frame (AMQP 1.0 §5.3.3.6): the result of the SASL exchange.</summary>
public sealed class SaslOutcome : Performative
{
    private static readonly string[] Names = ["code", "additional-data"];

    /// <summary>The outcome (mandatory).</summary>
    public SaslCode Code { get; set; }

    /// <summary>Extra data for the client on success, or null.</summary>
    public byte[]? AdditionalData { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.SaslOutcome;

    private protected override string TypeName => "sasl-outcome";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount => AdditionalData is not null ? 2 : 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        if (index == 0)
        {
            writer.WriteUByte((byte)Code);
        }
        else
        {
            FieldCodec.WriteBinary(writer, AdditionalData);
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        if (index == 0)
        {
            var code = reader.ReadUByte();
            Code = code <= (byte)SaslCode.SysTemp ? (SaslCode)code : throw new AmqpDecodeException($"Invalid sasl-code {code}.");
        }
        else
        {
            AdditionalData = reader.ReadNullableBinaryArray();
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        Code = SaslCode.Ok;
        AdditionalData = null;
    }

    private protected override void Format(FieldFormatter formatter) =>
        formatter.Add("code", Code).Add("additional-data", AdditionalData);
}
