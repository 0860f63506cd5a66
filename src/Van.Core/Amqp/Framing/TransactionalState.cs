using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>The state of a delivery within a transaction (AMQP 1.0 §4.5.5).</summary>
public sealed class TransactionalState : DeliveryState
{
    /// <summary>The transaction's id (mandatory).</summary>
    public byte[] TxnId { get; set; } = [];

    /// <summary>The provisional outcome, or null.</summary>
    public DeliveryState? Outcome { get; set; }

    /// <inheritdoc />
    public override ulong Descriptor => Descriptors.TransactionalState;

    /// <inheritdoc />
    public override void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.TransactionalState, this, Outcome is null ? 1 : 2, static (w, s, i) =>
        {
            if (i == 0)
            {
                w.WriteBinary(s.TxnId);
            }
            else
            {
                FieldCodec.WriteState(w, s.Outcome);
            }
        });

    internal static TransactionalState DecodeBody(ref AmqpReader reader)
    {
        var state = new TransactionalState();
        var count = FieldCodec.ReadList(ref reader, state, 2, static (ref r, s, i) =>
        {
            if (i == 0)
            {
                s.TxnId = r.TryReadNull() ? throw FieldCodec.Missing("transactional-state", "txn-id") : FieldCodec.ReadBinaryArray(ref r);
            }
            else
            {
                s.Outcome = FieldCodec.ReadState(ref r);
            }
        });
        return count >= 1 ? state : throw FieldCodec.Missing("transactional-state", "txn-id");
    }

    /// <inheritdoc />
    public override string ToString() =>
        new FieldFormatter("transactional-state").Add("txn-id", TxnId).Add("outcome", Outcome).ToString();
}
