using System.Text.Json;
using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>A non-.NET client (Qpid Proton in python) joins the VAN through a node's listener.</summary>
public class ProtonInteropTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task ProtonBlockingClient_RequestAtAForEchoOnC_ReplyNamesC()
    {
        Assert.True(await IsProtonAvailableAsync(),
            $"Debian's python3-qpid-proton is not importable by {Python} (run ./test.sh, which installs it, or apt-get install -y python3-qpid-proton).");
        await using var net = new VanNetwork(output);
        var c = await net.StartNodeAsync("C", "--echo", "echo");
        var b = await net.StartNodeAsync("B", "--connect", c.Endpoint);
        var a = await net.StartNodeAsync("A", "--connect", b.Endpoint);
        await VanNetwork.WaitForAddressAsync(a, "echo", "C");

        var script = Path.Combine(AppContext.BaseDirectory, "Proton", "van_request.py");
        var result = await RunAsync(Python, "-u", script, $"amqp://{a.Endpoint}", "echo", "hello proton", "proton-1", "20");

        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        var reply = JsonDocument.Parse(result.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal("C", reply.GetProperty("van_node").GetString());
        Assert.Equal("hello proton", reply.GetProperty("body").GetString());
        Assert.Equal("proton-1", reply.GetProperty("correlation_id").GetString());
        Assert.DoesNotContain(reply.GetProperty("annotations").EnumerateArray(), k => k.GetString()!.StartsWith("x-opt-van-", StringComparison.Ordinal));
    }

    private static async Task<bool> IsProtonAvailableAsync()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        var check = await RunAsync(Python, "-c", "import proton");
        return check.ExitCode == 0;
    }

    private static async Task<CliResult> RunAsync(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(VanNetwork.Deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return new CliResult(-1, await stdout, $"(killed after {VanNetwork.Deadline.TotalSeconds} s)\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
