using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>Routing across real <c>van node</c> processes: transit, closest instance by cost, overflow by capacity.</summary>
public class RoutingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CliDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Chain_RequestAtAForEchoOnC_TransitsBAndStatusShowsTopology()
    {
        await using var net = new VanNetwork(output);
        var c = await net.StartNodeAsync("C", "--echo", "echo");
        var b = await net.StartNodeAsync("B", "--connect", c.Endpoint);
        var a = await net.StartNodeAsync("A", "--connect", b.Endpoint);
        await VanNetwork.WaitForStatusAsync(a, "A, B, C reachable, B - C linked and echo on C", status =>
            Reachable(status, "B") && Reachable(status, "C") && Links(status, "B").Contains("C")
            && VanNetwork.ServedBy(status, "echo").SequenceEqual(["C"]));

        var request = await VanCli.RunAsync(CliDeadline, "request", "--connect", a.Endpoint, "echo", "hello");
        output.WriteLine($"van request:\n{request}");
        Assert.True(request.ExitCode == 0, request.ToString());
        Assert.Equal("hello\tvan-node=C", request.Stdout.Trim());

        var status = await VanCli.RunAsync(CliDeadline, "status", "--connect", a.Endpoint);
        output.WriteLine($"van status:\n{status}");
        Assert.True(status.ExitCode == 0, status.ToString());
        var lines = status.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Equal("node A (site default)", lines[0]);
        Assert.Equal(["nodes:", "links:", "addresses:"], lines.Where(l => l.EndsWith(':')).ToList());
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+A\s+site default\s+self$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+B\s+site default\s+cost 1 via B$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+C\s+site default\s+cost 2 via B$"));
        Assert.Contains("  A - B  cost 1", lines);
        Assert.Contains("  B - C  cost 1", lines);
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"^\s+A - C\b"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+echo\s+C$"));

        var noRoute = await VanCli.RunAsync(CliDeadline, "request", "--connect", a.Endpoint, "nobody-serves-this", "hello");
        output.WriteLine($"van request to an unserved address:\n{noRoute}");
        Assert.Equal(1, noRoute.ExitCode);
        Assert.Contains("error: van:no-route:", noRoute.Stdout + noRoute.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closest_TwoEchoInstancesAtCost1And10_AllRequestsAnsweredByCheaper()
    {
        await using var net = new VanNetwork(output);
        var b = await net.StartNodeAsync("B", "--echo", "echo");
        var c = await net.StartNodeAsync("C", "--echo", "echo");
        var a = await net.StartNodeAsync("A", "--connect", $"{b.Endpoint},cost=1", "--connect", $"{c.Endpoint},cost=10");
        await VanNetwork.WaitForAddressAsync(a, "echo", "B", "C");
        await using var client = await VanTestClient.ConnectAsync(a.Port, CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.RequestAsync("echo", $"closest-{i}", RequestTimeout)));

        output.WriteLine(LoadGenerator.Summarize(results));
        Assert.All(results, r => Assert.True(r.Status == RequestStatus.Replied && r.Node == "B", r.ToString()));
    }

    [Fact]
    public async Task Overflow_CheapInstanceAtCapacity_OverflowsToExpensiveThenReturns()
    {
        await using var net = new VanNetwork(output);
        var b = await net.StartNodeAsync("B", "--echo", "work", "--echo-delay", "300", "--echo-capacity", "2");
        var c = await net.StartNodeAsync("C", "--echo", "work", "--echo-delay", "300", "--echo-capacity", "100");
        var a = await net.StartNodeAsync("A", "--connect", $"{b.Endpoint},cost=1", "--connect", $"{c.Endpoint},cost=10");
        await VanNetwork.WaitForAddressAsync(a, "work", "B", "C");
        await using var client = await VanTestClient.ConnectAsync(a.Port, CancellationToken.None);

        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.RequestAsync("work", $"burst-{i}", RequestTimeout)));
        output.WriteLine($"burst of 10: {LoadGenerator.Summarize(burst)}");
        Assert.All(burst, r => Assert.True(r.Status == RequestStatus.Replied, r.ToString()));
        Assert.Contains(burst, r => r.Node == "B");
        Assert.Contains(burst, r => r.Node == "C");

        var after = new List<RequestResult>();
        for (var i = 0; i < 5; i++)
        {
            after.Add(await client.RequestAsync("work", $"after-{i}", RequestTimeout));
        }

        output.WriteLine($"5 sequential after the burst: {LoadGenerator.Summarize(after)}");
        Assert.All(after, r => Assert.True(r.Status == RequestStatus.Replied && r.Node == "B", r.ToString()));
    }

    private static JsonElement.ArrayEnumerator Nodes(JsonElement status) => status.GetProperty("nodes").EnumerateArray();

    private static bool Reachable(JsonElement status, string id) =>
        Nodes(status).Any(n => n.GetProperty("id").GetString() == id && n.GetProperty("reachable").GetBoolean());

    private static IReadOnlyList<string> Links(JsonElement status, string id) =>
        [.. Nodes(status).Where(n => n.GetProperty("id").GetString() == id)
            .SelectMany(n => n.GetProperty("links").EnumerateObject().Select(l => l.Name))];
}
