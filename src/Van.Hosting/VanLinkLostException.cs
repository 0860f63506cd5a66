namespace Van;

/// <summary>
/// A link or node failed after the message had left for it: the call may or may not have been handled (in doubt), so
/// it was not retried. Retry if the operation is idempotent.
/// </summary>
public sealed class VanLinkLostException : VanException
{
    /// <summary>Creates the exception.</summary>
    public VanLinkLostException(string address, string? description)
        : base(address, $"The call to '{address}' was in flight when a link failed (it may have been handled): {description}")
    {
    }
}
