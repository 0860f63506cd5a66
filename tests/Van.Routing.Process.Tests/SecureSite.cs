using System.Globalization;
using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>
/// A temporary directory of PKI files made with the real <c>van ca</c>, <c>van cert</c> and <c>van token</c> commands,
/// and the <c>van node</c> processes of one test. Disposing kills every node, writes their stderr to the test output
/// and deletes the directory.
/// </summary>
internal sealed class SecureSite : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly VanNetwork _nodes; // the node processes: started, killed and their stderr shown as in any test

    public SecureSite(ITestOutputHelper output)
    {
        _output = output;
        _nodes = new VanNetwork(output);
        Dir = Directory.CreateTempSubdirectory("van-secure-").FullName;
    }

    public string Dir { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine([Dir, .. parts]);

    /// <summary>Runs a one-shot van command that must succeed.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        var result = await VanCli.RunAsync(VanNetwork.Deadline, args);
        _output.WriteLine($"$ van {string.Join(' ', args)}\n{result}");
        Assert.True(result.ExitCode == 0, $"`van {string.Join(' ', args)}` failed: {result}");
        return result;
    }

    /// <summary>Runs a one-shot van command with extra environment variables (to its end, killing it at the deadline).</summary>
    public async Task<CliResult> RunWithEnvironmentAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var process = new System.Diagnostics.Process { StartInfo = VanCli.StartInfo(args) };
        foreach (var (name, value) in environment)
        {
            process.StartInfo.Environment[name] = value;
        }

        process.Start();
        using var cts = new CancellationTokenSource(VanNetwork.Deadline);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            var result = new CliResult(process.ExitCode, await stdout, await stderr);
            _output.WriteLine($"$ van {string.Join(' ', args)}\n{result}");
            return result;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`van {string.Join(' ', args)}` did not exit within {VanNetwork.Deadline.TotalSeconds} s.");
        }
    }

    /// <summary><c>van ca create --out DIR/NAME</c>; returns the CA directory.</summary>
    public async Task<string> CreateCaAsync(string name = "ca")
    {
        await RunAsync("ca", "create", "--out", Path(name), "--name", $"test site {name}", "--days", "2");
        return Path(name);
    }

    /// <summary><c>van cert issue</c> for 127.0.0.1 into DIR/certs; returns (cert, key, ca bundle).</summary>
    public async Task<(string Cert, string Key, string Ca)> IssueCertAsync(string caDir, string name)
    {
        var outDir = Path("certs-" + System.IO.Path.GetFileName(caDir));
        await RunAsync("cert", "issue", "--ca", caDir, "--name", name, "--san", "127.0.0.1", "--san", "localhost", "--days", "1", "--out", outDir);
        return (System.IO.Path.Combine(outDir, name + ".crt"), System.IO.Path.Combine(outDir, name + ".key"), System.IO.Path.Combine(outDir, "ca.crt"));
    }

    /// <summary><c>van token issue --url 127.0.0.1:PORT</c>; returns the token file.</summary>
    public async Task<string> IssueTokenAsync(string caDir, int port, string expires = "15m", string name = "token")
    {
        var file = Path(name + ".json");
        await RunAsync("token", "issue", "--ca", caDir, "--url", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"), "--expires", expires, "--out", file);
        return file;
    }

    /// <summary>The flags that give a node its TLS identity.</summary>
    public static string[] TlsFlags((string Cert, string Key, string Ca) identity) =>
        ["--tls-cert", identity.Cert, "--tls-key", identity.Key, "--tls-ca", identity.Ca];

    /// <summary>Starts <c>van node --id ID ARGS…</c> (no listener added) and returns once it listens.</summary>
    public Task<VanNodeProcess> StartNodeAsync(string id, params string[] args) => _nodes.StartProcessAsync(id, args);

    /// <summary>Polls until the condition holds, failing at the deadline with what was awaited.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        using var cts = new CancellationTokenSource(VanNetwork.Deadline);
        while (!condition())
        {
            try
            {
                // Polling, not synchronization: the condition decides.
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not within {VanNetwork.Deadline.TotalSeconds} s: {what()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _nodes.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
