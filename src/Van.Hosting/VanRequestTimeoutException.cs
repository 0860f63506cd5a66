namespace Van;

/// <summary>The call did not complete within its timeout. The handler (if it started) is cancelled at the same deadline.</summary>
public sealed class VanRequestTimeoutException : VanException
{
    /// <summary>Creates the exception.</summary>
    public VanRequestTimeoutException(string address, TimeSpan timeout)
        : base(address, $"The call to '{address}' timed out after {timeout.TotalMilliseconds:0.###} ms.") => Timeout = timeout;

    /// <summary>The timeout that expired.</summary>
    public TimeSpan Timeout { get; }
}
