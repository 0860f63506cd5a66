namespace Van.LoadTest.Harness;

/// <summary>
/// <c>N</c> in flight: <c>N</c> workers, each calling sequentially with its own <see cref="Caller"/>, so exactly
/// <c>N</c> calls are outstanding at any time. Per-worker counters on their own cache lines keep the count off the
/// measured path.
/// </summary>
internal sealed class WorkersLoad(int concurrency, Func<int, Caller> create) : Load
{
    private const int Stride = 16;
    private readonly long[] _counts = new long[concurrency * Stride];

    public override long Completed
    {
        get
        {
            long total = 0;
            for (var i = 0; i < concurrency; i++)
            {
                total += Volatile.Read(ref _counts[i * Stride]);
            }

            return total;
        }
    }

    public override Task RunAsync(Func<bool> stopping, Check check, CancellationToken cancellationToken)
    {
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var worker = i;
            var caller = create(worker);
            workers[i] = Task.Run(() => WorkAsync(worker, caller, stopping, check, cancellationToken), CancellationToken.None);
        }

        return Task.WhenAll(workers);
    }

    private async Task WorkAsync(int worker, Caller caller, Func<bool> stopping, Check check, CancellationToken cancellationToken)
    {
        long sequence = 0;
        while (!stopping() && !check.TooMany && !cancellationToken.IsCancellationRequested)
        {
            bool ok;
            try
            {
                ok = await caller.CallAsync(sequence++, cancellationToken);
            }
            catch (Exception e)
            {
                check.Fail(e);
                continue;
            }

            if (!ok)
            {
                check.Wrong($"worker {worker}, call {sequence - 1}: wrong reply");
            }

            Volatile.Write(ref _counts[worker * Stride], _counts[worker * Stride] + 1);
        }
    }
}
