namespace Van.Routing.Process.Tests;

/// <summary>How one request ended.</summary>
internal enum RequestStatus
{
    /// <summary>Accepted, and its reply came back.</summary>
    Replied,

    /// <summary>Settled with Rejected (see <see cref="RequestResult.Condition"/>).</summary>
    Rejected,

    /// <summary>Settled with Released.</summary>
    Released,

    /// <summary>Settled with Modified.</summary>
    Modified,

    /// <summary>No outcome, or no reply after Accepted, within the request's timeout: lost silently.</summary>
    TimedOut,

    /// <summary>The client itself failed (connection, decoding, a reply that does not match the request).</summary>
    Error,
}

/// <summary>One request's fate, with timestamps from <see cref="TimeProvider.System"/>.</summary>
internal sealed record RequestResult(string Id, RequestStatus Status, string? Node, string? Condition, string? Description, long SentAt, long CompletedAt)
{
    public TimeSpan Elapsed => TimeProvider.System.GetElapsedTime(SentAt, CompletedAt);

    /// <summary>A short reason for a failure: the condition for Rejected, else the status.</summary>
    public string Reason => Status switch
    {
        RequestStatus.Replied => "replied by " + Node,
        RequestStatus.Rejected => "rejected " + Condition,
        _ => Status.ToString().ToLowerInvariant(),
    };

    public override string ToString() =>
        $"{Id}: {Reason}{(Description is null ? "" : $" ({Description})")} after {Elapsed.TotalMilliseconds:F0} ms";
}
