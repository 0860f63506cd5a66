using System.Diagnostics;
using System.Globalization;
using Van.LoadTest.Children;
using Van.LoadTest.Harness;

namespace Van.LoadTest.VanTargets;

/// <summary>
/// Fire-and-forget throughput: <see cref="IVanClient.PublishAsync{T}"/> to the one subscriber on node C, measured where
/// it matters (messages the subscriber received and checked, per second). Publishing completes when the copy left
/// this node, so the publisher keeps a question to C about how far it got in flight and never runs more than
/// <see cref="Backlog"/> ahead; at the end it waits for every message to arrive.
/// </summary>
internal static class PublishMeasure
{
    public const int Backlog = 4096;
    private const int Batch = 256;

    public static async Task<Figures> RunAsync(IVanClient client, ChildProcess server, TimeSpan duration, Check check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(duration + Measure.Grace);
        var payload = Payloads.Create(0);
        var meter = new ResourceMeter(server);
        var (received0, bad0) = await ReceivedAsync(server, timeout.Token);
        var before = await meter.ReadAsync(timeout.Token);
        long published = 0;
        long received = 0;

        // The progress query crosses the child's stdin and stdout: kept in flight beside the publisher, it is waited
        // for only when the publisher is Backlog ahead, so the measure is not paced by its own control channel.
        var progress = ReceivedAsync(server, timeout.Token);
        var started = Stopwatch.GetTimestamp();
        var end = started + Measure.Ticks(duration);
        while (Stopwatch.GetTimestamp() < end && !check.TooMany)
        {
            for (var i = 0; i < Batch; i++)
            {
                Payloads.Stamp(payload, published);
                try
                {
                    await client.PublishAsync<ReadOnlyMemory<byte>>(Addresses.Feed, payload, cancellationToken: timeout.Token);
                    published++;
                }
                catch (Exception e)
                {
                    check.Fail(e);
                    timeout.Token.ThrowIfCancellationRequested();
                }
            }

            while (progress.IsCompleted || published - received > Backlog)
            {
                received = (await progress).Received - received0;
                progress = ReceivedAsync(server, timeout.Token);
            }
        }

        await progress;
        var drained = Stopwatch.GetTimestamp() + Measure.Ticks(TimeSpan.FromSeconds(10));
        long bad;
        while (true)
        {
            var (total, badTotal) = await ReceivedAsync(server, timeout.Token);
            received = total - received0;
            bad = badTotal - bad0;
            if (received >= published || Stopwatch.GetTimestamp() > drained)
            {
                break;
            }

            await Task.Delay(1, timeout.Token);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = await meter.ReadAsync(timeout.Token);
        if (received != published)
        {
            check.Wrong($"{published - received} of {published} published messages did not reach the subscriber within 10 s");
        }

        if (bad > 0)
        {
            check.Wrong($"the subscriber received {bad} malformed messages");
        }

        var figures = ResourceMeter.PerCall(before, after, received);
        figures[Metric.PerSecond] = received / elapsed.TotalSeconds;
        return figures;
    }

    private static async Task<(long Received, long Bad)> ReceivedAsync(ChildProcess server, CancellationToken cancellationToken)
    {
        var stats = await server.QueryAsync("stats", cancellationToken);
        return (long.Parse(stats["received"], CultureInfo.InvariantCulture), long.Parse(stats["bad"], CultureInfo.InvariantCulture));
    }
}
