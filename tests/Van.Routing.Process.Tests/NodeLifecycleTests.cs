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

    [Fact]
    public async Task ConfigFile_SetsSiteConnectorsAndServices()
    {
        await using var net = new VanNetwork(output);
        var a = await net.StartNodeAsync("A");
        var config = Path.Combine(Path.GetTempPath(), $"van-config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              // comments and trailing commas are fine
              "site": "edge",
              "connect": [ "{{a.Endpoint}},cost=3" ],
              "echo": [ "cfg-echo" ],
              "helloIntervalMs": 500,
            }
            """);
        try
        {
            await net.StartNodeAsync("B", "--config", config);
            await VanNetwork.WaitForAddressAsync(a, "cfg-echo", "B");

            var request = await VanCli.RunAsync(VanNetwork.Deadline, "request", "--connect", a.Endpoint, "cfg-echo", "hi");
            output.WriteLine(request.ToString());
            Assert.Equal("hi\tvan-node=B", request.Stdout.Trim());
            var status = await VanCli.RunAsync(VanNetwork.Deadline, "status", "--connect", a.Endpoint);
            output.WriteLine(status.ToString());
            Assert.Matches(@"B\s+site edge\s+cost 3 via B", status.Stdout);
            Assert.Contains("A - B  cost 3", status.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }
}
