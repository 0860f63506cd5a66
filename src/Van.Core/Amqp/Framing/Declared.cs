using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// The declared outcome (AMQP 1.0 §4.5.3): a coordinator's answer to a declare, carrying the new transaction's id.
/// </summary>
public sealed class Declared : DeliveryState
{
    /// <summary>The transaction's id (mandatory).</summary>
    public byte[] TxnId { get; set; } = [];

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.Declared;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.Declared, this, 1, static (w, s, _) => w.WriteBinary(s.TxnId));

    internal static Declared DecodeBody(ref AmqpReader reader)
    {
        var state = new Declared();
        var count = FieldCodec.ReadList(ref reader, state, 1, static (ref r, s, _) =>
            s.TxnId = r.TryReadNull() ? throw FieldCodec.Missing("declared", "txn-id") : FieldCodec.ReadBinaryArray(ref r));
        return count >= 1 ? state : throw FieldCodec.Missing("declared", "txn-id");
    }

    /// <inheritdoc />
    public override string ToString() => new FieldFormatter("declared").Add("txn-id", TxnId).ToString();
}
