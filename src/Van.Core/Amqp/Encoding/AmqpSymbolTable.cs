using System.Text;

namespace Van.Core.Amqp.Encoding;

/// <summary>
/// Returns shared instances of symbols that recur on the wire (error conditions, capabilities, SASL mechanisms),
/// so decoding them allocates nothing.
/// </summary>
internal static class AmqpSymbolTable
{
    private static readonly (byte[] Ascii, AmqpSymbol Symbol)[] Known = Build(
        "ANONYMOUS", "PLAIN", "EXTERNAL", "ANONYMOUS-RELAY",
        "amqp:internal-error", "amqp:not-found", "amqp:unauthorized-access", "amqp:decode-error",
        "amqp:resource-limit-exceeded", "amqp:not-allowed", "amqp:invalid-field", "amqp:not-implemented",
        "amqp:resource-locked", "amqp:precondition-failed", "amqp:resource-deleted", "amqp:illegal-state",
        "amqp:frame-size-too-small", "amqp:connection:forced", "amqp:connection:framing-error",
        "amqp:connection:redirect", "amqp:session:window-violation", "amqp:session:errant-link",
        "amqp:session:handle-in-use", "amqp:session:unattached-handle", "amqp:link:detach-forced",
        "amqp:link:transfer-limit-exceeded", "amqp:link:message-size-exceeded", "amqp:link:redirect",
        "amqp:link:stolen", "product", "version", "x-opt-to", "qd.streaming-links");

    public static AmqpSymbol Get(ReadOnlySpan<byte> ascii)
    {
        foreach (var (bytes, symbol) in Known)
        {
            if (bytes.Length == ascii.Length && ascii.SequenceEqual(bytes))
            {
                return symbol;
            }
        }

        if (!System.Text.Ascii.IsValid(ascii))
        {
            throw new AmqpDecodeException("A symbol holds a byte outside ASCII.");
        }

        return new AmqpSymbol(System.Text.Encoding.ASCII.GetString(ascii));
    }

    private static (byte[], AmqpSymbol)[] Build(params string[] names) =>
        names.Select(n => (System.Text.Encoding.ASCII.GetBytes(n), new AmqpSymbol(n))).ToArray();
}
