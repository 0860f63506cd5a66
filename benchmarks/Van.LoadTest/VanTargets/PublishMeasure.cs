using System.Diagnostics;
using System.Globalization;
using Van.LoadTest.Children;
using Van.LoadTest.Harness;

namespace Van.LoadTest.VanTargets;

/// <summary>
/// Fire-and-forget throughput: <see cref="IVanClient.PublishAsync{T}"/> to the one subscriber on node C, measured where
/// it matters (messages the subscriber received and checked, per second). Publishing completes when the copy left
/// this node, so the publisher asks C how far it got every few hundred messages and never runs more than
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
        var (received0, bad0) = await ReceivedAsync(server, timeout.Token);
        long published = 0;
        long received = 0;
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

            do
            {
                received = (await ReceivedAsync(server, timeout.Token)).Received - received0;
            }
            while (published - received > Backlog);
        }

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
        if (received != published)
        {
            check.Wrong($"{published - received} of {published} published messages did not reach the subscriber within 10 s");
        }

        if (bad > 0)
        {
            check.Wrong($"the subscriber received {bad} malformed messages");
        }

        return new Figures { [Metric.PerSecond] = received / elapsed.TotalSeconds };
    }

    private static async Task<(long Received, long Bad)> ReceivedAsync(ChildProcess server, CancellationToken cancellationToken)
    {
        var stats = await server.QueryAsync("stats", cancellationToken);
        return (long.Parse(stats["received"], CultureInfo.InvariantCulture), long.Parse(stats["bad"], CultureInfo.InvariantCulture));
    }
}
