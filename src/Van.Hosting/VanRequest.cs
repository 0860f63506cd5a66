using Van.Internal;

namespace Van;

/// <summary>A request (or one-way message) delivered to a handler registered with <c>MapService</c>.</summary>
public sealed class VanRequest
{
    private readonly IVanSerializer _serializer;

    internal VanRequest(string address, string? subject, string? contentType, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, bool expectsReply, IVanSerializer serializer)
    {
        Address = address;
        _serializer = serializer;
        Set(subject, contentType, body, headers, expectsReply);
    }

    /// <summary>Refills a request for reuse by an in-process call (one allocation saved per call).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(Headers))]
    internal void Set(string? subject, string? contentType, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, bool expectsReply)
    {
        Subject = subject;
        ContentType = contentType;
        Body = body;
        Headers = headers;
        ExpectsReply = expectsReply;
    }

    /// <summary>The address it was sent to.</summary>
    public string Address { get; }

    /// <summary>The message's subject: the operation, for callers that name one (typed proxies send the method name).</summary>
    public string? Subject { get; private set; }

    /// <summary>The body's content type, when the sender gave one (Van's client sends its serializer's).</summary>
    public string? ContentType { get; private set; }

    /// <summary>The body's bytes; valid only until the handler's task completes (copy them to keep them).</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

    /// <summary>The message's application properties that are strings (trace context included).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; private set; }

    /// <summary>The sender waits for a reply (a request); false for one-way sends and publications, whose reply is dropped.</summary>
    public bool ExpectsReply { get; private set; }

    /// <summary>The body deserialized with the host's serializer (raw byte types are returned as they are).</summary>
    public T Read<T>() => Payload.Read<T>(_serializer, Body);
}
