using Van.Internal;

namespace Van;

/// <summary>
/// A request (or one-way message) delivered to a handler registered with <c>MapService</c>. It belongs to the call only
/// until the handler's task completes: Van may reuse the object, and the buffer its <see cref="Body"/> points into, for
/// later calls, so copy what you keep (as with the handler's cancellation token).
/// </summary>
public sealed class VanRequest
{
    private readonly IVanSerializer _serializer;

    private IReadOnlyDictionary<string, string>? _headers;
    private ReadOnlyMemory<byte> _encodedHeaders;

    internal VanRequest(string address, IVanSerializer serializer)
    {
        Address = address;
        _serializer = serializer;
    }

    /// <summary>
    /// Fills the request for a handler: <paramref name="headers"/> when they are at hand (an in-process call), else the
    /// message's application-properties section, decoded on first access to <see cref="Headers"/>.
    /// </summary>
    internal void Set(string? subject, string? contentType, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> encodedHeaders, bool expectsReply)
    {
        Subject = subject;
        ContentType = contentType;
        Body = body;
        _headers = headers;
        _encodedHeaders = encodedHeaders;
        ExpectsReply = expectsReply;
    }

    /// <summary>
    /// Empties the request once its handler's task completed, for reuse by a later call (the address stays): a handler
    /// that kept it reads an empty body and headers, or a later call's.
    /// </summary>
    internal void Clear() => Set(null, null, default, null, default, expectsReply: true);

    /// <summary>The address it was sent to.</summary>
    public string Address { get; }

    /// <summary>The message's subject: the operation, for callers that name one (typed proxies send the method name).</summary>
    public string? Subject { get; private set; }

    /// <summary>The body's content type, when the sender gave one (Van's client sends its serializer's).</summary>
    public string? ContentType { get; private set; }

    /// <summary>The body's bytes; valid only until the handler's task completes (copy them to keep them).</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

    /// <summary>
    /// The message's application properties that are strings (trace context included). Decoded from the message on
    /// first access: read them before the handler's task completes, as <see cref="Body"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers => _headers ??= Wire.HeadersOf(_encodedHeaders.Span);

    /// <summary>The sender waits for a reply (a request); false for one-way sends and publications, whose reply is dropped.</summary>
    public bool ExpectsReply { get; private set; }

    /// <summary>The body deserialized with the host's serializer (raw byte types are returned as they are).</summary>
    public T Read<T>() => Payload.Read<T>(_serializer, Body);
}
