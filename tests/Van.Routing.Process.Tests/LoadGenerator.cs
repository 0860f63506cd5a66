namespace Van.Routing.Process.Tests;

/// <summary>
/// Keeps a fixed number of requests in flight through one client until stopped, recording every request's fate.
/// Tests wait on conditions over the results so far rather than on time.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly VanTestClient _client;
    private readonly string _address;
    private readonly TimeSpan _timeout;
    private readonly List<RequestResult> _results = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    private LoadGenerator(VanTestClient client, string address, int concurrency, TimeSpan timeout)
    {
        _client = client;
        _address = address;
        _timeout = timeout;
        _workers = [.. Enumerable.Range(0, concurrency).Select(w => Task.Run(() => WorkAsync(w)))];
    }

    /// <summary>Requests started so far (each ends in exactly one result).</summary>
    public int Started => Volatile.Read(ref _started);

    public static LoadGenerator Start(VanTestClient client, string address, int concurrency, TimeSpan timeout) =>
        new(client, address, concurrency, timeout);

    public IReadOnlyList<RequestResult> Results
    {
        get
        {
            lock (_results)
            {
                return [.. _results];
            }
        }
    }

    /// <summary>Waits until the results so far satisfy the condition; fails at the deadline listing them.</summary>
    public async Task WaitUntilAsync(string what, Func<IReadOnlyList<RequestResult>, bool> condition, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        while (true)
        {
            Task changed;
            lock (_results)
            {
                if (condition(_results))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not {what} within {deadline.TotalSeconds} s. Results:\n{Summarize(Results)}");
            }
        }
    }

    /// <summary>Stops starting requests, waits for those in flight (each ends by its own timeout), returns all results.</summary>
    public async Task<IReadOnlyList<RequestResult>> StopAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers);
        return Results;
    }

    /// <summary>Counts by reason, e.g. "12 replied by B, 2 rejected van:link-lost".</summary>
    public static string Summarize(IEnumerable<RequestResult> results) =>
        string.Join(", ", results.GroupBy(r => r.Reason).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    private async Task WorkAsync(int worker)
    {
        var n = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Interlocked.Increment(ref _started);
            var result = await _client.RequestAsync(_address, $"w{worker}-{n++}", _timeout);
            lock (_results)
            {
                _results.Add(result);
                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (result.Status != RequestStatus.Replied)
            {
                // Pacing, so a fast failure (no route yet) does not spin the 2 cores the nodes need.
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }
}
