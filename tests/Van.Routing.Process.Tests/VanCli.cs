using System.Diagnostics;
using System.Text;

namespace Van.Routing.Process.Tests;

/// <summary>Runs the built <c>van</c> command (van.dll, copied next to the tests by the project reference).</summary>
internal static class VanCli
{
    /// <summary>The van.dll the project reference copied into the test output.</summary>
    public static string VanDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "van.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"van.dll is not in {AppContext.BaseDirectory}; the test project references src/Van.Cli to copy it there.", path);
        }
    }

    /// <summary>The dotnet host running these tests (so child processes use the same SDK and runtime).</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            {
                return host;
            }

            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }

    /// <summary>A start-info for <c>dotnet van.dll ARGS…</c> with stdout and stderr redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(VanDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Keep the children lean and quiet on a small machine.
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_TieredPGO"] = "0";
        return psi;
    }

    /// <summary>Runs a one-shot <c>van</c> command to its end (killing it at the deadline).</summary>
    public static async Task<CliResult> RunAsync(TimeSpan deadline, params string[] args)
    {
        using var process = new System.Diagnostics.Process { StartInfo = StartInfo(args) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"`van {string.Join(' ', args)}` did not exit within {deadline.TotalSeconds} s. stdout:\n{stdout}\nstderr:\n{stderr}");
        }

        return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>What a one-shot <c>van</c> command printed and how it exited.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
