using Van.Core.Amqp.Framing;

namespace Van.Routing.Internal;

/// <summary>
/// Where a publish from this process learns its outcome. Routing a publish reports it before it returns, so the
/// caller usually gets an already-completed task (a cached one for accepted) with no completion source; should the
/// outcome come later, a completion source takes it. One per thread, reused from publish to publish while it completes
/// synchronously.
/// </summary>
internal sealed class LocalOutcome
{
    private static readonly Task<DeliveryState> s_accepted = Task.FromResult<DeliveryState>(Accepted.Instance);

    [ThreadStatic]
    private static LocalOutcome? t_spare;

    private readonly Lock _lock = new();
    private DeliveryState? _state;
    private TaskCompletionSource<DeliveryState>? _completion;

    private LocalOutcome() => OnOutcome = Set;

    /// <summary>Given to the router with the message: takes the outcome (once).</summary>
    public Action<DeliveryState> OnOutcome { get; }

    /// <summary>
    /// This thread's instance (a fresh one if a publish on this thread is already using it). It goes back only from
    /// <see cref="TakeTask"/> with the outcome in hand: one the router may still report to is never reused.
    /// </summary>
    public static LocalOutcome Rent()
    {
        var outcome = t_spare ?? new LocalOutcome();
        t_spare = null;
        return outcome;
    }

    /// <summary>
    /// The outcome as a task: completed when the router already reported it (and this instance goes back for reuse),
    /// else one that completes when it does.
    /// </summary>
    public Task<DeliveryState> TakeTask()
    {
        lock (_lock)
        {
            if (_state is { } state)
            {
                _state = null;
                t_spare = this;
                return state is Accepted ? s_accepted : Task.FromResult(state);
            }

            _completion = new TaskCompletionSource<DeliveryState>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _completion.Task;
        }
    }

    private void Set(DeliveryState state)
    {
        TaskCompletionSource<DeliveryState>? completion;
        lock (_lock)
        {
            completion = _completion;
            if (completion is null)
            {
                _state = state;
                return;
            }
        }

        completion.TrySetResult(state);
    }
}
