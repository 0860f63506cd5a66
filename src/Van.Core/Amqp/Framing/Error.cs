using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>Details of an error (AMQP 1.0 §2.8.14), carried by detach, end, close and rejected.</summary>
public sealed class Error
{
    private const int KnownFields = 3;

    /// <summary>Creates an error with an empty condition; set <see cref="Condition"/> before encoding.</summary>
    public Error()
    {
    }

    /// <summary>Creates an error.</summary>
    public Error(AmqpSymbol condition, string? description = null)
    {
        Condition = condition;
        Description = description;
    }

    /// <summary>The error condition, usually one of <see cref="ErrorCondition"/> (mandatory).</summary>
    public AmqpSymbol Condition { get; set; }

    /// <summary>A human-readable description, or null.</summary>
    public string? Description { get; set; }

    /// <summary>Extra information about the error, or null.</summary>
    public Dictionary<AmqpSymbol, object?>? Info { get; set; }

    private int FieldCount => Info is not null ? 3 : Description is not null ? 2 : 1;

    /// <summary>Writes the error as a described list (descriptor 0x1d).</summary>
    public void Encode(AmqpWriter writer) =>
        FieldCodec.WriteDescribedList(writer, Descriptors.Error, this, FieldCount, static (w, e, i) =>
        {
            switch (i)
            {
                case 0: w.WriteSymbol(e.Condition); break;
                case 1: FieldCodec.WriteString(w, e.Description); break;
                default: FieldCodec.WriteMap(w, e.Info); break;
            }
        });

    /// <summary>Reads an error (a null is the caller's business).</summary>
    /// <exception cref="AmqpDecodeException">Not an error, or malformed.</exception>
    public static Error Decode(ref AmqpReader reader)
    {
        FieldCodec.ReadDescriptor(ref reader, "error", Descriptors.Error);
        var error = new Error();
        var count = FieldCodec.ReadList(ref reader, error, KnownFields, static (ref r, e, i) =>
        {
            switch (i)
            {
                case 0:
                    if (r.TryReadNull())
                    {
                        throw FieldCodec.Missing("error", "condition");
                    }

                    e.Condition = r.ReadSymbol();
                    break;
                case 1: e.Description = r.ReadNullableString(); break;
                default: e.Info = r.ReadSymbolMap(); break;
            }
        });
        return count > 0 ? error : throw FieldCodec.Missing("error", "condition");
    }

    /// <inheritdoc />
    public override string ToString() =>
        new FieldFormatter("error").Add("condition", Condition).Add("description", Description).Add("info", Info).ToString();
}
