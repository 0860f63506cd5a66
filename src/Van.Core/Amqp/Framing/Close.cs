using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The close performative (AMQP 1.0 §2.7.9): closes the connection.</summary>
public sealed class Close : Performative
{
    private static readonly string[] Names = ["error"];

    /// <summary>Creates a close without an error.</summary>
    public Close()
    {
    }

    /// <summary>Creates a close with an error.</summary>
    public Close(Error? error) => Error = error;

    /// <summary>Why, when it is because of an error; else null.</summary>
    public Error? Error { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Close;

    private protected override string TypeName => "close";

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
