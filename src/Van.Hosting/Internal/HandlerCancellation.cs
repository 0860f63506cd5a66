namespace Van.Internal;

/// <summary>
/// The one source that cuts a remote call's handler off: at the caller's deadline (<see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>,
/// its only timer) or on request (the caller cancelled, the node is stopping or gave up on its handlers). Which came
/// first decides what the caller reads: a timeout or a cancellation.
/// </summary>
/// <remarks>
/// Pooled by its endpoint (with its timer): after a handler that was never cut off, <see cref="TryEnd"/> resets it for
/// the next call. What finds it later through the node's table of running handlers (a cancel message, a local caller
/// that gave up) names the use it found (<see cref="Start"/>'s generation), so it never cancels a later call; and a
/// source such a canceller got hold of is not reused, since its cancel may land after the handler ended.
/// </remarks>
internal sealed class HandlerCancellation : CancellationTokenSource
{
    private readonly Lock _gate = new();
    private volatile bool _onRequest;
    private int _generation;
    private bool _ended;
    private bool _reusable;

    /// <summary>For registrations on the tokens that cut every handler off (the node's stop).</summary>
    public static readonly Action<object?> CancelOnRequestCallback = static s => ((HandlerCancellation)s!).CancelOnRequest();

    /// <summary>The deadline passed before anything else cut the handler off.</summary>
    public bool Expired => IsCancellationRequested && !_onRequest;

    /// <summary>Starts a use (this source is new, or reset by <see cref="TryEnd"/>); returns its generation.</summary>
    public int Start()
    {
        lock (_gate)
        {
            _onRequest = false;
            _ended = false;
            _reusable = true;
            return ++_generation;
        }
    }

    /// <summary>
    /// Cancels use <paramref name="generation"/> on request, found through the table of running handlers: nothing
    /// when that use ended (this source may serve another call by now).
    /// </summary>
    public void CancelFound(int generation)
    {
        lock (_gate)
        {
            if (_ended || _generation != generation)
            {
                return;
            }

            _reusable = false; // the cancel below may land after the handler ended
        }

        CancelOnRequest();
    }

    /// <summary>
    /// The handler ended and nothing else cancels this use any more (its registrations are disposed): true when the
    /// source is reset for another call, false when it must be disposed (it was cancelled, or a canceller holds it).
    /// </summary>
    public bool TryEnd()
    {
        lock (_gate)
        {
            _ended = true;
            if (!_reusable)
            {
                return false;
            }
        }

        // False once cancellation was requested or the deadline's timer ever fired: such a source is never reused.
        return TryReset();
    }

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
