using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The end performative (AMQP 1.0 §2.7.8): ends a session.</summary>
public sealed class End : Performative
{
    private static readonly string[] Names = ["error"];

    /// <summary>Creates a end without an error.</summary>
    public End()
    {
    }

    /// <summary>Creates a end with an error.</summary>
    public End(Error? error) => Error = error;

    /// <summary>Why, when it is because of an error; else null.</summary>
    public Error? Error { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.End;

    private protected override string TypeName => "end";

    private protected override string[] FieldNames => Names;

    /// <inheritdoc />
    protected override int FieldCount => Error is null ? 0 : 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index) => FieldCodec.WriteError(writer, Error);

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index) => Error = FieldCodec.ReadError(ref reader);

    /// <inheritdoc />
    protected override void Reset() => Error = null;

    private protected override void Format(FieldFormatter formatter) => formatter.Add("error", Error);
}
