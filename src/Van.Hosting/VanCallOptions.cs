namespace Van;

/// <summary>Per-call settings for <see cref="IVanClient"/> calls.</summary>
public sealed class VanCallOptions
{
    /// <summary>How long the call may take; default <see cref="VanOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The operation name carried in the message's <c>subject</c>; typed services dispatch on it (the interface
    /// method's name). Null for plain handlers.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>Application properties to send with the message (string values), readable by the handler.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
