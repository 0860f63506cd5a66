using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The sasl-challenge frame (AMQP 1.0 §5.3.3.3): a security challenge from the server.</summary>
public sealed class SaslChallenge : Performative
{
    private static readonly string[] Names = ["challenge"];

    /// <summary>The challenge data, defined by the mechanism (mandatory).</summary>
    public byte[] Challenge { get; set; } = [];

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.SaslChallenge;

    private protected override string TypeName => "sasl-challenge";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount => 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index) => writer.WriteBinary(Challenge);

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index) => Challenge = FieldCodec.ReadBinaryArray(ref reader);

    /// <inheritdoc />
    protected override void Reset() => Challenge = [];

    // SASL data may hold credentials, so only its length is logged.
    private protected override void Format(FieldFormatter formatter) => formatter.Add("challenge", $"<{Challenge.Length} bytes>");
}
