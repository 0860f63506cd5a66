using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing;

namespace Van.Internal;

/// <summary>
/// How Van.Hosting's calls look on the wire (any AMQP 1.0 peer can play either side): a request carries
/// <c>message-id</c>, <c>to</c>, <c>reply-to</c> (a node address of the caller), <c>subject</c> (the operation, for
/// typed services), <c>content-type</c>, <c>header.ttl</c> (the caller's deadline) and a data body; W3C trace
/// context rides in the application properties <c>traceparent</c>/<c>tracestate</c>. The reply goes to
/// <c>reply-to</c> with <c>correlation-id</c> = the request's <c>message-id</c>. A handler failure is the request's
/// outcome: rejected with <see cref="ServiceError"/>, the exception type in the error's info under "type"; a handler cut
/// off by the deadline is rejected with <see cref="DeadlinePassed"/>, one cut off otherwise with <see cref="Cancelled"/>.
/// </summary>
internal static class Wire
{
    /// <summary>
    /// The address on which node <paramref name="nodeId"/> hears that callers gave up: a caller that cancels sends the
    /// call's (reply-to, id) to it on every node serving the call's address. A node address, because the network does
    /// not advertise '_van/' addresses: only a node address routes to a node without being advertised.
    /// </summary>
    public static string CancelAddressOf(string nodeId) => $"{VanRouter.NodeAddressPrefix}{nodeId}/cancel";

    public static readonly AmqpSymbol ServiceError = new("van:service-error");
    public static readonly AmqpSymbol Cancelled = new("van:cancelled");
    public static readonly AmqpSymbol DeadlinePassed = new("van:deadline-passed");
    public static readonly AmqpSymbol ExceptionType = new("type");
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    public static byte[] Encode(
        string address,
        object? messageId,
        object? correlationId,
        string? replyTo,
        string? subject,
        string? contentType,
        TimeSpan? timeToLive,
        ReadOnlyMemory<byte> payload,
        IReadOnlyDictionary<string, string>? headers,
        string? traceParent,
        string? traceState)
    {
        var message = new AmqpMessage
        {
            Properties = new Properties
            {
                MessageId = messageId,
                CorrelationId = correlationId,
                To = address,
                ReplyTo = replyTo,
                Subject = subject,
                ContentType = contentType is null ? (AmqpSymbol?)null : new AmqpSymbol(contentType),
            },
            Data = [payload],
        };
        if (timeToLive is { } ttl)
        {
            message.Header = new Header { Ttl = (uint)Math.Clamp(Math.Ceiling(ttl.TotalMilliseconds), 1, uint.MaxValue) };
        }

        if (headers is { Count: > 0 } || traceParent is not null)
        {
            var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (headers is not null)
            {
                foreach (var (key, value) in headers)
                {
                    properties[key] = value;
                }
            }

            if (traceParent is not null)
            {
                properties[TraceParent] = traceParent;
                if (!string.IsNullOrEmpty(traceState))
                {
                    properties[TraceState] = traceState;
                }
            }

            message.ApplicationProperties = properties;
        }

        return message.ToArray();
    }

    /// <summary>The body as bytes: data sections, or an amqp-value holding binary or a string (what Proton sends for str).</summary>
    public static ReadOnlyMemory<byte> BodyOf(AmqpMessage message) =>
        message.BodyBytes ?? (message.HasValue && message.Value is string s ? Encoding.UTF8.GetBytes(s) : ReadOnlyMemory<byte>.Empty);

    public static IReadOnlyDictionary<string, string> HeadersOf(AmqpMessage message)
    {
        if (message.ApplicationProperties is not { Count: > 0 } properties)
        {
            return EmptyHeaders;
        }

        var headers = new Dictionary<string, string>(properties.Count, StringComparer.Ordinal);
        foreach (var (key, value) in properties)
        {
            if (value is string s)
            {
                headers[key] = s;
            }
        }

        return headers;
    }

    public static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();

    public static Rejected Reject(AmqpSymbol condition, string description, Dictionary<AmqpSymbol, object?>? info = null) =>
        new(new Error { Condition = condition, Description = description, Info = info });

    /// <summary>The exception a non-accepted outcome of a call to <paramref name="address"/> with <paramref name="timeout"/> stands for.</summary>
    public static VanException ToException(string address, TimeSpan timeout, DeliveryState state)
    {
        if (state is Rejected { Error: { } error })
        {
            var condition = error.Condition;
            if (condition == VanErrors.NoRoute)
            {
                return new VanNoRouteException(address, error.Description);
            }

            if (condition == DeadlinePassed)
            {
                // The handler's copy of the caller's deadline fired before the caller's own did.
                return new VanRequestTimeoutException(address, timeout);
            }

            if (condition == ServiceError)
            {
                var type = error.Info?.GetValueOrDefault(ExceptionType) as string ?? "System.Exception";
                return new VanRemoteException(address, type, error.Description ?? "");
            }

            if (condition == VanErrors.LinkLost)
            {
                return new VanLinkLostException(address, error.Description);
            }

            return new VanRejectedException(address, condition.Value, error.Description);
        }

        return state switch
        {
            Rejected => new VanRejectedException(address, "amqp:rejected", null),
            Released => new VanRejectedException(address, "amqp:released", "Every instance tried released the message (none could take it)."),
            Modified => new VanRejectedException(address, "amqp:modified", "The consumer could not process the message."),
            _ => new VanRejectedException(address, state.GetType().Name, null),
        };
    }
}
