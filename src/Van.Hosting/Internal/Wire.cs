using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing;

namespace Van.Internal;

/// <summary>
/// How Van.Hosting's calls look on the wire (any AMQP 1.0 peer can play either side): a request carries
/// <c>message-id</c>, <c>to</c>, <c>reply-to</c> (a node address of the caller), <c>subject</c> (the operation, for
/// typed services), <c>content-type</c>, <c>header.ttl</c> (the caller's deadline) and a data body (Van reads an
/// amqp-value holding binary or a string too: what Proton sends for str); W3C trace context rides in the application
/// properties <c>traceparent</c>/<c>tracestate</c>. Hosting writes these messages directly (<see cref="Write"/>) and
/// reads them without the message object model (<see cref="IncomingMessage"/>). The reply goes to
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

    /// <summary>
    /// Appends a message as documented above to <paramref name="buffer"/>, written directly (no message object): the
    /// header only with a ttl, the properties up to the last one given, the application properties only when there are
    /// headers or trace context, and the payload as one data section. The bytes are those
    /// <see cref="AmqpMessage.Encode"/> writes for the same message.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="contentType"/> is not ASCII (AMQP symbols are).</exception>
    public static void Write(
        AmqpBuffer buffer,
        string to,
        WireId messageId,
        WireId correlationId,
        string? replyTo,
        string? subject,
        string? contentType,
        TimeSpan? timeToLive,
        ReadOnlySpan<byte> payload,
        IReadOnlyDictionary<string, string>? headers,
        string? traceParent,
        string? traceState)
    {
        var writer = new AmqpWriter(buffer);
        if (timeToLive is { } ttl)
        {
            // durable (false) and priority (4) are their defaults: null.
            writer.WriteDescriptor(Descriptors.Header);
            var header = writer.BeginList();
            writer.WriteNull();
            writer.WriteNull();
            writer.WriteUInt((uint)Math.Clamp(Math.Ceiling(ttl.TotalMilliseconds), 1, uint.MaxValue));
            writer.EndList(header, 3);
        }

        // message-id, user-id, to, subject, reply-to, correlation-id, content-type; trailing nulls left out.
        var count = contentType is not null ? 7 : !correlationId.IsNone ? 6 : replyTo is not null ? 5 : subject is not null ? 4 : 3;
        writer.WriteDescriptor(Descriptors.Properties);
        var properties = writer.BeginList();
        messageId.Write(writer);
        writer.WriteNull();
        writer.WriteString(to);
        if (count > 3)
        {
            WriteString(writer, subject);
        }

        if (count > 4)
        {
            WriteString(writer, replyTo);
        }

        if (count > 5)
        {
            correlationId.Write(writer);
        }

        if (count > 6)
        {
            writer.WriteSymbol(new AmqpSymbol(contentType!));
        }

        writer.EndList(properties, count);

        if (headers is { Count: > 0 } || traceParent is not null)
        {
            WriteApplicationProperties(writer, headers, traceParent, traceState);
        }

        writer.WriteDescriptor(Descriptors.Data);
        writer.WriteBinary(payload);
    }

    /// <summary>
    /// The headers, then the trace context: a header named like a trace field is overwritten in its place (tracestate
    /// only when there is one to write), as the dictionary this replaces did.
    /// </summary>
    private static void WriteApplicationProperties(AmqpWriter writer, IReadOnlyDictionary<string, string>? headers, string? traceParent, string? traceState)
    {
        var withState = traceParent is not null && !string.IsNullOrEmpty(traceState);
        var wroteParent = false;
        var wroteState = false;
        var pairs = 0;
        writer.WriteDescriptor(Descriptors.ApplicationProperties);
        var map = writer.BeginMap();
        if (headers is not null)
        {
            foreach (var (key, value) in headers)
            {
                var text = value;
                if (traceParent is not null && key == TraceParent)
                {
                    text = traceParent;
                    wroteParent = true;
                }
                else if (withState && key == TraceState)
                {
                    text = traceState;
                    wroteState = true;
                }

                writer.WriteString(key);
                WriteString(writer, text);
                pairs++;
            }
        }

        if (traceParent is not null && !wroteParent)
        {
            writer.WriteString(TraceParent);
            writer.WriteString(traceParent);
            pairs++;
        }

        if (withState && !wroteState)
        {
            writer.WriteString(TraceState);
            writer.WriteString(traceState);
            pairs++;
        }

        writer.EndMap(map, pairs);
    }

    private static void WriteString(AmqpWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteString(value);
        }
    }

    /// <summary>Decodes UTF-8 strictly, as <see cref="AmqpReader.ReadString"/> does.</summary>
    /// <exception cref="AmqpDecodeException">The bytes are not valid UTF-8.</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new AmqpDecodeException("A string is not valid UTF-8.", e);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The application properties whose values are strings (trace context included), from a section
    /// <see cref="IncomingMessage.Read"/> checked; <see cref="EmptyHeaders"/> when there are none.
    /// </summary>
    public static IReadOnlyDictionary<string, string> HeadersOf(ReadOnlySpan<byte> section)
    {
        if (section.IsEmpty)
        {
            return EmptyHeaders;
        }

        var reader = new AmqpReader(section);
        IncomingMessage.SkipDescriptor(ref reader);
        if (reader.TryReadNull())
        {
            return EmptyHeaders;
        }

        var count = reader.ReadMapHeader(out _);
        if (count == 0)
        {
            return EmptyHeaders;
        }

        var headers = new Dictionary<string, string>(count / 2, StringComparer.Ordinal);
        for (var i = 0; i < count; i += 2)
        {
            var key = DecodeUtf8(reader.ReadStringUtf8());
            if (reader.PeekFormatCode() is FormatCode.String8 or FormatCode.String32)
            {
                headers[key] = DecodeUtf8(reader.ReadStringUtf8());
            }
            else
            {
                reader.SkipValue();
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
