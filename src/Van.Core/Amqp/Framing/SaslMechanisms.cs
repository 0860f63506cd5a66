using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The sasl-mechanisms frame (AMQP 1.0 §5.3.3.1): the mechanisms the server offers.</summary>
public sealed class SaslMechanisms : Performative
{
    private static readonly string[] Names = ["sasl-server-mechanisms"];

    /// <summary>The offered mechanisms, e.g. <c>ANONYMOUS</c>, <c>PLAIN</c> (mandatory).</summary>
    public AmqpSymbol[] SaslServerMechanisms { get; set; } = [];

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.SaslMechanisms;

    private protected override string TypeName => "sasl-mechanisms";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount => 1;

    /// <inheritdoc />
    /// <remarks>Always an array of sym8 (even for one mechanism), as Proton and qdrouterd write it.</remarks>
    protected override void WriteField(AmqpWriter writer, int index) => writer.WriteSymbolArray(SaslServerMechanisms);

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index) =>
        SaslServerMechanisms = reader.ReadSymbolMultiple() ?? [];

    /// <inheritdoc />
    protected override void Reset() => SaslServerMechanisms = [];

    private protected override void Format(FieldFormatter formatter) =>
        formatter.Add("sasl-server-mechanisms", SaslServerMechanisms);
}
