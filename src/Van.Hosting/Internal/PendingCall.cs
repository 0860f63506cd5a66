namespace Van.Internal;

/// <summary>A request waiting for its reply (or for a failed outcome, whichever comes first).</summary>
internal sealed class PendingCall(ulong id, string address, TimeSpan timeout) : TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public ulong Id { get; } = id;

    public string Address { get; } = address;

    public TimeSpan Timeout { get; } = timeout;
}
