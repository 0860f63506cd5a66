using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The sasl-response frame (AMQP 1.0 §5.3.3.4): the client's answer to a challenge.</summary>
public sealed class SaslResponse : Performative
{
    private static readonly string[] Names = ["response"];

    /// <summary>The response data, defined by the mechanism (mandatory).</summary>
    public byte[] Response { get; set; } = [];

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.SaslResponse;

    private protected override string TypeName => "sasl-response";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount => 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index) => writer.WriteBinary(Response);

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index) => Response = FieldCodec.ReadBinaryArray(ref reader);

    /// <inheritdoc />
    protected override void Reset() => Response = [];

    // SASL data may hold credentials, so only its length is logged.
    private protected override void Format(FieldFormatter formatter) => formatter.Add("response", $"<{Response.Length} bytes>");
}
