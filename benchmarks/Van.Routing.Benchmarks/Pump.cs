using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Routing.Benchmarks;

/// <summary>
/// Sends a batch of unsettled messages on a link, a window of them in flight, and waits for every outcome. It sends the
/// way a node forwards (<see cref="SenderLink.TrySend"/>, outcomes to a sink, the next message sent from the outcome's
/// callback), so the harness itself allocates nothing per message; a send that has to wait for credit falls back to
/// <see cref="SenderLink.SendAsync(ReadOnlyMemory{byte}, bool, CancellationToken)"/> and is counted.
/// </summary>
internal sealed class Pump(SenderLink link, byte[] message, int window) : IDeliveryOutcomeSink, IDisposable
{
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _done = new();
    private int _toSend;
    private int _outstanding;
    private int _remaining;
    private string? _failure;

    /// <summary>Sends that had to wait (and allocated): 0 in steady state.</summary>
    public long Fallbacks { get; private set; }

    public void Run(int count)
    {
        _done.Reset();
        _failure = null;
        lock (_lock)
        {
            _toSend = count;
            _remaining = count;
        }

        Fill();
        _done.Wait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException(failure);
        }
    }

    private void Fill()
    {
        while (true)
        {
            lock (_lock)
            {
                if (_toSend == 0 || _outstanding >= window)
                {
                    return;
                }

                _toSend--;
                _outstanding++;
            }

            if (!link.TrySend(message, settled: false, this, 0))
            {
                Fallbacks++;
                _ = SendAsync();
            }
        }
    }

    private async Task SendAsync()
    {
        try
        {
            var state = await link.SendAsync(message, settled: false);
            OnOutcome(state, null, 0);
        }
        catch (AmqpException e)
        {
            OnOutcome(null, e, 0);
        }
    }

    public void OnOutcome(DeliveryState? state, AmqpException? failure, int token)
    {
        if (state is not Accepted)
        {
            _failure ??= $"Not accepted: {(object?)failure ?? state}";
        }

        bool done;
        lock (_lock)
        {
            _outstanding--;
            done = --_remaining == 0;
        }

        if (done)
        {
            _done.Set();
        }
        else
        {
            Fill();
        }
    }

    public void Dispose() => _done.Dispose();
}
