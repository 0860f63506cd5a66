using System.Diagnostics;
using Xunit.Abstractions;

namespace Van.Samples.Tests;

/// <summary>samples/ProtonClient: a Qpid Proton python client calls the .NET typed service through a node's listener.</summary>
public class ProtonClientTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task ProtonClient_Run_ExitsZeroAndPrintsReceipt()
    {
        Assert.True(await IsProtonAvailableAsync(),
            $"Debian's python3-qpid-proton is not importable by {Python}, so the sample would only print 'skipped' (run ./test.sh, which installs it, or apt-get install -y python3-qpid-proton).");

        await using var sample = SampleProcess.Start(Samples.ProtonClient, output);
        await sample.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(sample.ExitCode == 0, $"ProtonClient exited with {sample.ExitCode}.\n{sample}");
        Assert.Contains("\"orderId\": \"proton-1\"", sample.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"handledBy\": ", sample.Stdout, StringComparison.Ordinal);
        Assert.Contains("rejected: van:service-error", sample.Stdout, StringComparison.Ordinal);
    }

    private static async Task<bool> IsProtonAvailableAsync()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        var info = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import proton");
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode == 0;
    }
}
