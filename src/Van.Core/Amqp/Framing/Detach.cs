using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The detach performative (AMQP 1.0 §2.7.7): detaches (and with <see cref="Closed"/>, closes) a link.</summary>
public sealed class Detach : Performative
{
    private static readonly string[] Names = ["handle", "closed", "error"];

    /// <summary>The link's handle (mandatory).</summary>
    public uint Handle { get; set; }

    /// <summary>The link is closed, not just detached.</summary>
    public bool Closed { get; set; }

    /// <summary>Why the link was detached, or null.</summary>
    public Error? Error { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Detach;

    private protected override string TypeName => "detach";

    private protected override string[] FieldNames => Names;

    private protected override uint MandatoryFields => 1u << 0;

    /// <inheritdoc />
    protected override int FieldCount => Error is not null ? 3 : Closed ? 2 : 1;

    /// <inheritdoc />
    protected override void WriteField(AmqpWriter writer, int index)
    {
        switch (index)
        {
            case 0: writer.WriteUInt(Handle); break;
            case 1: writer.WriteBoolean(Closed); break;
            default: FieldCodec.WriteError(writer, Error); break;
        }
    }

    /// <inheritdoc />
    protected override void ReadField(ref AmqpReader reader, int index)
    {
        switch (index)
        {
            case 0: Handle = reader.ReadUInt(); break;
            case 1: Closed = FieldCodec.ReadBoolean(ref reader, false); break;
            default: Error = FieldCodec.ReadError(ref reader); break;
        }
    }

    /// <inheritdoc />
    protected override void Reset()
    {
        Handle = 0;
        Closed = false;
        Error = null;
    }

    private protected override void Format(FieldFormatter formatter) =>
        formatter.Add("handle", Handle).Flag("closed", Closed).Add("error", Error);
}
