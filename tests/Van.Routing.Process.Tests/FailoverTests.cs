using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>
/// A (client side) connects to B at cost 1 and to C at cost 10, both serving "echo". Load runs through A while B dies
/// (kill -9) or goes silent (SIGSTOP): every request must end with a reply or a clear failure, and traffic must move to C.
/// </summary>
public class FailoverTests(ITestOutputHelper output)
{
    private const int InFlight = 4;
    private const int RepliesFromCWanted = 20;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What a request may end with when its node dies: anything else (a timeout above all) is a loss.</summary>
    private static bool IsClearOutcome(RequestResult r) =>
        r.Status is RequestStatus.Replied or RequestStatus.Released
        || (r.Status == RequestStatus.Rejected && r.Condition is "van:link-lost" or "van:no-route");

    [Fact]
    public async Task KillNine_CheapInstanceUnderLoad_InFlightFailWithReasonAndRepliesMoveToNextInstance()
    {
        await using var net = new VanNetwork(output);
        var (a, b) = await StartTopologyAsync(net);
        await using var client = await VanTestClient.ConnectAsync(a.Port, CancellationToken.None);
        await using var load = LoadGenerator.Start(client, "echo", InFlight, RequestTimeout);
        await load.WaitUntilAsync("10 replies from B", rs => rs.Count(r => r.Node == "B") >= 10, VanNetwork.Deadline);

        var killedAt = TimeProvider.System.GetTimestamp();
        b.Kill();
        Assert.True(await b.WaitForExitAsync(VanNetwork.Deadline), "B did not die after kill -9.");
        var goneAt = TimeProvider.System.GetTimestamp();
        await load.WaitUntilAsync($"{RepliesFromCWanted} replies from C",
            rs => rs.Count(r => r.Node == "C") >= RepliesFromCWanted, VanNetwork.Deadline);
        var results = await load.StopAsync();

        Report("kill -9 B", killedAt, results);
        AssertNoneLost(load.Started, results);
        Assert.All(results.Where(r => r.CompletedAt < killedAt && r.Status == RequestStatus.Replied), r => Assert.Equal("B", r.Node));
        // B is dead for requests sent after its exit: any reply to them can only come from C.
        Assert.All(results.Where(r => r.SentAt > goneAt && r.Status == RequestStatus.Replied), r => Assert.Equal("C", r.Node));
    }

    [Fact]
    public async Task SigStop_CheapInstanceGoesSilent_DeclaredDeadAfterMissedHellosAndRepliesMoveToNextInstance()
    {
        const int helloMs = 300;
        await using var net = new VanNetwork(output);
        var (a, b) = await StartTopologyAsync(net, "--hello-interval", helloMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var client = await VanTestClient.ConnectAsync(a.Port, CancellationToken.None);
        await using var load = LoadGenerator.Start(client, "echo", InFlight, RequestTimeout);
        await load.WaitUntilAsync("10 replies from B", rs => rs.Count(r => r.Node == "B") >= 10, VanNetwork.Deadline);

        var stoppedAt = TimeProvider.System.GetTimestamp();
        b.Signal(Signals.SigStop);
        try
        {
            await WaitForStateAsync(b, 'T');
            var confirmedAt = TimeProvider.System.GetTimestamp();
            await load.WaitUntilAsync($"{RepliesFromCWanted} replies from C",
                rs => rs.Count(r => r.Node == "C") >= RepliesFromCWanted, VanNetwork.Deadline);
            var results = await load.StopAsync();

            Report($"SIGSTOP B (hello {helloMs} ms, dead after 3 missed = {3 * helloMs} ms)", stoppedAt, results);
            AssertNoneLost(load.Started, results);
            // A stopped B answers nothing sent after it stopped.
            Assert.All(results.Where(r => r.SentAt > confirmedAt && r.Status == RequestStatus.Replied), r => Assert.Equal("C", r.Node));
        }
        finally
        {
            // Best effort: the network's disposal kills B (SIGKILL works on a stopped process) either way.
            try
            {
                b.Signal(Signals.SigCont);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private static async Task<(VanNodeProcess A, VanNodeProcess B)> StartTopologyAsync(VanNetwork net, params string[] common)
    {
        var b = await net.StartNodeAsync("B", ["--echo", "echo", .. common]);
        var c = await net.StartNodeAsync("C", ["--echo", "echo", .. common]);
        var a = await net.StartNodeAsync("A", ["--connect", $"{b.Endpoint},cost=1", "--connect", $"{c.Endpoint},cost=10", .. common]);
        await VanNetwork.WaitForAddressAsync(a, "echo", "B", "C");
        return (a, b);
    }

    private static async Task WaitForStateAsync(VanNodeProcess node, char state)
    {
        using var cts = new CancellationTokenSource(VanNetwork.Deadline);
        while (Signals.State(node.Pid) != state)
        {
            // Polling /proc, not synchronization by time.
            await Task.Delay(5, cts.Token);
        }
    }

    private static void AssertNoneLost(int started, IReadOnlyList<RequestResult> results)
    {
        Assert.Equal(started, results.Count);
        var unclear = results.Where(r => !IsClearOutcome(r)).ToList();
        Assert.True(unclear.Count == 0, $"{unclear.Count} request(s) lost or failed without a clear reason:\n{string.Join('\n', unclear)}");
    }

    private void Report(string what, long eventAt, IReadOnlyList<RequestResult> results)
    {
        var firstFromC = results.Where(r => r.Node == "C" && r.CompletedAt > eventAt).MinBy(r => r.CompletedAt);
        var gap = firstFromC is null ? "none" : $"{TimeProvider.System.GetElapsedTime(eventAt, firstFromC.CompletedAt).TotalMilliseconds:F0} ms";
        var failed = results.Where(r => r.Status != RequestStatus.Replied).ToList();
        output.WriteLine($"{what}: failover gap (event to first reply from C) = {gap}");
        output.WriteLine($"{results.Count} requests: {LoadGenerator.Summarize(results)}");
        output.WriteLine($"{failed.Count} failed{(failed.Count > 0 ? ":" : "")}");
        foreach (var f in failed)
        {
            output.WriteLine($"  {f}, sent {TimeProvider.System.GetElapsedTime(eventAt, f.SentAt).TotalMilliseconds:F0} ms after the event");
        }
    }
}
