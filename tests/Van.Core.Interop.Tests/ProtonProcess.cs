using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Van.Core.Interop.Tests;

/// <summary>
/// A Proton python script run as a child process (Debian's /usr/bin/python3, which has python3-qpid-proton).
/// Its stdout lines are collected; disposing kills the whole process tree.
/// </summary>
internal sealed class ProtonProcess : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly System.Text.StringBuilder _stderr = new();

    private ProtonProcess(Process process) => _process = process;

    public static bool IsAvailable =>
        File.Exists(Python) && Run(Python, "-c \"import proton\"") == 0;

    public static ProtonProcess Start(string script, params string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Proton", script);
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add(path);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + Python);
        var p = new ProtonProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                p._lines.Writer.TryComplete();
            }
            else
            {
                p._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (p._stderr)
                {
                    p._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return p;
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The next stdout line, or a failure naming what the script printed to stderr.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        try
        {
            return await _lines.Reader.ReadAsync().AsTask().WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or ChannelClosedException)
        {
            throw new InvalidOperationException($"The Proton script printed nothing more ({e.GetType().Name}). stderr:\n{StandardError}", e);
        }
    }

    public async Task<JsonElement> ReadJsonAsync(TimeSpan timeout)
    {
        var line = await ReadLineAsync(timeout);
        try
        {
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Not JSON: {line}\nstderr:\n{StandardError}", e);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int Run(string file, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (p is null)
            {
                return -1;
            }

            p.WaitForExit(30_000);
            return p.HasExited ? p.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
