using System.Numerics;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// The body of an AMQP or SASL frame: a described list whose fields follow the spec's order. Subclasses supply
/// the fields; this class does the list framing, the null-means-default rule, mandatory-field checks and
/// dispatch by descriptor.
/// </summary>
public abstract class Performative
{
    /// <summary>Only the framing layer defines performatives.</summary>
    private protected Performative()
    {
    }

    /// <summary>The numeric descriptor, e.g. 0x10 for open.</summary>
    public abstract ulong Descriptor { get; }

    /// <summary>
    /// How many fields <see cref="Encode"/> writes: the index of the last field that is not at its default, plus
    /// one, and never fewer than the mandatory fields.
    /// </summary>
    protected abstract int FieldCount { get; }

    /// <summary>The spec name, e.g. <c>open</c>, used in messages and <see cref="ToString"/>.</summary>
    private protected abstract string TypeName { get; }

    /// <summary>The spec's field names in order; their number is the number of fields this code knows.</summary>
    private protected abstract string[] FieldNames { get; }

    /// <summary>A bit for each mandatory field index: such a field may be neither absent nor null.</summary>
    private protected virtual uint MandatoryFields => 0;

    /// <summary>Writes the performative as a described list (descriptor as smallulong <c>00 53 xx</c>).</summary>
    public void Encode(AmqpBuffer buffer)
    {
        var writer = new AmqpWriter(buffer);
        writer.WriteDescriptor(Descriptor);
        var count = FieldCount;
        var bookmark = writer.BeginList();
        for (var i = 0; i < count; i++)
        {
            WriteField(writer, i);
        }

        writer.EndList(bookmark, count);
    }

    /// <summary>Writes field <paramref name="index"/>; null for a field that is absent or at its default.</summary>
    protected abstract void WriteField(AmqpWriter writer, int index);

    /// <summary>
    /// Reads the list that follows the descriptor into this instance: resets every field to its default, reads
    /// the fields this code knows, skips any extras (a later spec version may add some) and leaves the reader at
    /// the list's end. Reusing an instance this way lets a connection decode transfers without allocating.
    /// </summary>
    /// <exception cref="AmqpDecodeException">The list is malformed, a field has the wrong type, or a mandatory field is missing.</exception>
    public void DecodeFields(ref AmqpReader reader)
    {
        var count = reader.ReadListHeader(out var end);
        Reset();
        var names = FieldNames;
        var mandatory = MandatoryFields;
        var known = Math.Min(count, names.Length);
        for (var i = 0; i < known; i++)
        {
            if ((mandatory & (1u << i)) != 0 && reader.TryReadNull())
            {
                throw FieldCodec.Missing(TypeName, names[i]);
            }

            ReadField(ref reader, i);
        }

        var missing = known >= 32 ? 0 : mandatory >> known;
        if (missing != 0)
        {
            throw FieldCodec.Missing(TypeName, names[known + BitOperations.TrailingZeroCount(missing)]);
        }

        reader.SkipTo(end);
    }

    /// <summary>Reads field <paramref name="index"/>; an explicit null leaves the field at its default.</summary>
    protected abstract void ReadField(ref AmqpReader reader, int index);

    /// <summary>Sets every field to its spec default.</summary>
    protected abstract void Reset();

    /// <summary>Sets every field back to its default, so an instance can be reused for the next frame.</summary>
    internal void ResetFields() => Reset();

    /// <summary>
    /// Reads a performative: its descriptor (numeric, or the spec's symbolic name) and then its fields, into a new
    /// instance of the matching class.
    /// </summary>
    /// <exception cref="AmqpDecodeException">Not a known performative, or malformed.</exception>
    public static Performative Decode(ref AmqpReader reader)
    {
        var code = reader.ReadDescriptorCode();
        Performative performative = code switch
        {
            Descriptors.Open => new Open(),
            Descriptors.Begin => new Begin(),
            Descriptors.Attach => new Attach(),
            Descriptors.Flow => new Flow(),
            Descriptors.Transfer => new Transfer(),
            Descriptors.Disposition => new Disposition(),
            Descriptors.Detach => new Detach(),
            Descriptors.End => new End(),
            Descriptors.Close => new Close(),
            Descriptors.SaslMechanisms => new SaslMechanisms(),
            Descriptors.SaslInit => new SaslInit(),
            Descriptors.SaslChallenge => new SaslChallenge(),
            Descriptors.SaslResponse => new SaslResponse(),
            Descriptors.SaslOutcome => new SaslOutcome(),
            _ => throw new AmqpDecodeException($"Unknown performative descriptor 0x{code:x}."),
        };
        performative.DecodeFields(ref reader);
        return performative;
    }

    /// <summary>Adds the fields that are not at their default to a log summary.</summary>
    private protected abstract void Format(FieldFormatter formatter);

    /// <summary>A one-line summary for logs, e.g. <c>attach(name="x", handle=0, role=Sender)</c>.</summary>
    public override string ToString()
    {
        var formatter = new FieldFormatter(TypeName);
        Format(formatter);
        return formatter.ToString();
    }
}
