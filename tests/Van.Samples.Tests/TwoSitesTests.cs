using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Van.Samples.Tests;

/// <summary>samples/TwoSites: Backend and Frontend as two real processes linked over TCP on 127.0.0.1.</summary>
public partial class TwoSitesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Frontend_Count5LinkedToBackend_ExitsZeroAndNamesBackendNode()
    {
        var (backend, backendNode, port) = await StartBackendAsync();
        await using (backend)
        {
            await using var frontend = SampleProcess.Start(
                Samples.Frontend, output, "--count", "5", Link(port), "--Frontend:Interval=00:00:00.05");

            await frontend.WaitForExitAsync(Deadline);

            Assert.True(frontend.ExitCode == 0, $"Frontend exited with {frontend.ExitCode}.\n{frontend}\n{backend}");
            var receipts = frontend.Stdout.Split('\n').Count(l => l.Contains($"from node '{backendNode}' (site 'cloud')", StringComparison.Ordinal));
            Assert.True(receipts == 5, $"Expected 5 receipts from backend node '{backendNode}', saw {receipts}.\n{frontend}");
        }
    }

    [Fact]
    public async Task Frontend_AloneWithCount1_ReportsVanNoRouteExceptionFastAndExitsNonZero()
    {
        // Nothing listens on this port: the link keeps redialling while the call finds no route.
        var watch = Stopwatch.StartNew();
        await using var frontend = SampleProcess.Start(
            Samples.Frontend, output, "--count", "1", Link(FreePort.Next()), "--Frontend:WaitForService=00:00:01");

        await frontend.WaitForExitAsync(Deadline);
        watch.Stop();

        output.WriteLine($"frontend ran {watch.Elapsed.TotalSeconds:0.00} s");
        Assert.NotEqual(0, frontend.ExitCode);
        Assert.Contains("VanNoRouteException", frontend.Stdout, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The frontend took {watch.Elapsed.TotalSeconds:0.0} s to report no route.\n{frontend}");
    }

    private static string Link(int port) => string.Create(CultureInfo.InvariantCulture, $"--Van:Links:0:Url=127.0.0.1:{port}");

    /// <summary>
    /// Starts Backend listening on 127.0.0.1 at a port that was free a moment ago (its configuration takes a fixed
    /// port), retrying with another port when something took it first; returns once it serves, with its node id.
    /// </summary>
    private async Task<(SampleProcess Backend, string NodeId, int Port)> StartBackendAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var backend = SampleProcess.Start(
                Samples.Backend, output, string.Create(CultureInfo.InvariantCulture, $"--Van:Listeners:0=127.0.0.1:{port}"));
            try
            {
                var ready = await backend.ReadLineAsync(l => l.StartsWith("Backend node '", StringComparison.Ordinal), Deadline);
                if (ready is not null)
                {
                    return (backend, ReadyLine().Match(ready).Groups[1].Value, port);
                }

                await backend.WaitForExitAsync(Deadline);
                var inUse = backend.Stderr.Contains("already in use", StringComparison.OrdinalIgnoreCase)
                    || backend.Stdout.Contains("already in use", StringComparison.OrdinalIgnoreCase);
                if (!inUse || attempt == 3)
                {
                    throw new InvalidOperationException($"Backend exited ({backend.ExitCode}) before serving.\n{backend}");
                }
            }
            catch
            {
                await backend.DisposeAsync();
                throw;
            }

            await backend.DisposeAsync();
        }
    }

    [GeneratedRegex("^Backend node '([^']+)'")]
    private static partial Regex ReadyLine();
}
