using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Xunit.Abstractions;

namespace Van.Samples.Tests;

/// <summary>
/// One sample program running as <c>dotnet SAMPLE.dll ARGS…</c> in its own output folder. Its stdout lines are queued for
/// the test to wait on; everything it printed goes to the test output when it is disposed, which kills it if it still
/// runs.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private SampleProcess(string name, Process process, ITestOutputHelper output)
    {
        Name = name;
        _process = process;
        _output = output;
    }

    public string Name { get; }

    public int ExitCode => _process.ExitCode;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static SampleProcess Start(string name, ITestOutputHelper output, params string[] args)
    {
        var dll = Samples.DllOf(name);
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = info };
        var sample = new SampleProcess(name, process, output);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                sample._lines.Writer.TryComplete();
                return;
            }

            lock (sample._stdout)
            {
                sample._stdout.AppendLine(e.Data);
            }

            sample._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (sample._stderr)
                {
                    sample._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>
    /// Reads stdout lines until one matches; null when stdout ended first (the process exited). Fails at the deadline.
    /// </summary>
    public async Task<string?> ReadLineAsync(Func<string, bool> match, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (match(line))
                    {
                        return line;
                    }
                }
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name}: no matching line within {deadline.TotalSeconds} s.\n{this}");
        }
    }

    /// <summary>Waits for the process to exit and its output to be drained; fails (killing it) at the deadline.</summary>
    public async Task WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name} did not exit within {deadline.TotalSeconds} s (killed).\n{this}");
        }
    }

    public override string ToString() => $"--- {Name} stdout:\n{Stdout}--- {Name} stderr:\n{Stderr}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Never started, already gone, or will not die: nothing more to do here.
        }

        try
        {
            _output.WriteLine(ToString());
        }
        catch (InvalidOperationException)
        {
            // The test has already finished reporting.
        }

        _process.Dispose();
    }

    /// <summary>The dotnet host running these tests, so the samples use the same runtime.</summary>
    private static string DotnetHost
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
}
