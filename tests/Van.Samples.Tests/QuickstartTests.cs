using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Van.Samples.Tests;

/// <summary>samples/Quickstart, the README's demo, run as the user runs it: every narrated step must happen.</summary>
public partial class QuickstartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Quickstart_Run_OverflowsFailsOverWithNothingLostAndReturns()
    {
        await using var demo = SampleProcess.Start(Samples.Quickstart, output);
        await demo.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.True(demo.ExitCode == 0, $"The quickstart exited with {demo.ExitCode}.\n{demo}");
        var text = demo.Stdout;

        // Step 2: the burst reached both instances.
        Assert.Matches(@"orders-0\s+#+\s+\d+ calls", text);
        Assert.Matches(@"orders-1\s+#+\s+\d+ calls", text);

        // Step 3, the failover: calls before the stop went to orders-0, after it to orders-1, and none failed.
        var timeline = Timeline().Match(text);
        Assert.True(timeline.Success, $"No failover timeline in the output.\n{text}");
        Assert.StartsWith("0", timeline.Groups["before"].Value, StringComparison.Ordinal);
        Assert.EndsWith("1", timeline.Groups["after"].Value, StringComparison.Ordinal);
        var summary = Summary().Match(text);
        Assert.True(summary.Success, $"No failover summary in the output.\n{text}");
        Assert.Equal(summary.Groups["calls"].Value, summary.Groups["answered"].Value);
        Assert.Equal("0", summary.Groups["failed"].Value);
        Assert.DoesNotContain("call failed", text, StringComparison.Ordinal);

        // Step 4 and 5: orders-0 serves again; an unknown service fails fast with its reason.
        Assert.Matches(@"order\s+\d+\s+->\s+orders-0 \(onprem\)\s*$", text.Split("4. ")[1].Split("5. ")[0].Trim());
        Assert.Contains("VanNoRouteException", text, StringComparison.Ordinal);
        Assert.Contains("Done: every step behaved as described.", text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+(?<before>[01]+)\|(?<after>[01]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Timeline();

    [GeneratedRegex(@"(?<calls>\d+) calls, (?<answered>\d+) answered, (?<failed>\d+) failed; last answered by orders-1")]
    private static partial Regex Summary();
}
