using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>How a <c>van node</c> process starts, refuses bad flags and stops.</summary>
public class NodeLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigTerm_RunningNode_PrintsStoppedAndExitsZero()
    {
        await using var net = new VanNetwork(output);
        var node = await net.StartNodeAsync("A", "--echo", "echo");

        var signalledAt = TimeProvider.System.GetTimestamp();
        node.Signal(Signals.SigTerm);
        var exited = await node.WaitForExitAsync(VanNetwork.Deadline);

        output.WriteLine($"exited {TimeProvider.System.GetElapsedTime(signalledAt).TotalMilliseconds:F0} ms after SIGTERM");
        Assert.True(exited, $"The node did not exit within {VanNetwork.Deadline.TotalSeconds} s of SIGTERM. stderr:\n{node.Stderr}");
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("node A stopped", node.Stdout.Split('\n').Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task BadListenFlag_NodeCommand_ExitsTwoNamingTheValueOnStderr()
    {
        var result = await VanCli.RunAsync(VanNetwork.Deadline, "node", "--id", "A", "--listen", "nonsense");

        output.WriteLine(result.ToString());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nonsense", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", result.Stdout, StringComparison.Ordinal);
    }
}
