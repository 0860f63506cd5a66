using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Benchmarks;

/// <summary>Messages as a transit node sees them arrive from a neighbour.</summary>
internal static class Messages
{
    /// <summary>
    /// A request as it leaves node <paramref name="from"/> toward node <paramref name="destination"/>: routing
    /// annotations (to, dest, trace), properties with to and reply-to, a traceparent application property and a
    /// <paramref name="bodySize"/>-byte data body.
    /// </summary>
    public static byte[] Transit(string address, string destination, string[] trace, int bodySize)
    {
        var body = new byte[bodySize];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }

        var message = AmqpMessage.CreateData(body);
        message.Header = new Header { Durable = true, Ttl = 30_000 };
        message.Properties = new Properties { MessageId = "req-42", To = address, ReplyTo = "_van/node/web-1/r/7", CorrelationId = "req-41" };
        message.ApplicationProperties = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        message.MessageAnnotations = new Dictionary<AmqpSymbol, object?>
        {
            [new AmqpSymbol(RoutingAnnotationKeys.To)] = address,
            // Lists (not arrays), as nodes write them.
            [new AmqpSymbol(RoutingAnnotationKeys.Dest)] = new List<object?> { destination },
            [new AmqpSymbol(RoutingAnnotationKeys.Trace)] = trace.Cast<object?>().ToList(),
        };
        return message.ToArray();
    }
}
