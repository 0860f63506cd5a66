namespace Van.Internal;

/// <summary>
/// The one source that cuts a remote call's handler off: at the caller's deadline (<see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>,
/// its only timer) or on request (the caller cancelled, the node is stopping or gave up on its handlers). Which came
/// first decides what the caller reads: a timeout or a cancellation.
/// </summary>
internal sealed class HandlerCancellation : CancellationTokenSource
{
    private volatile bool _onRequest;

    /// <summary>For registrations on the tokens that cut every handler off (the node's stop).</summary>
    public static readonly Action<object?> CancelOnRequestCallback = static s => ((HandlerCancellation)s!).CancelOnRequest();

    /// <summary>The deadline passed before anything else cut the handler off.</summary>
    public bool Expired => IsCancellationRequested && !_onRequest;

    /// <summary>Cancels for another reason than the deadline (quietly when the handler ended meanwhile).</summary>
    public void CancelOnRequest()
    {
        if (IsCancellationRequested)
        {
            return;
        }

        _onRequest = true;
        try
        {
            Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handler ended meanwhile.
        }
    }
}
