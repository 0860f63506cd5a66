using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Van.Routing.Process.Tests;

/// <summary>
/// One <c>dotnet van.dll node …</c> child process. Its stdout lines are queued for the test to read; its stderr is
/// kept for failure messages. Disposing kills the whole process tree.
/// </summary>
internal sealed class VanNodeProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "listening on ";

    private readonly System.Diagnostics.Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private VanNodeProcess(string id, System.Diagnostics.Process process)
    {
        Id = id;
        _process = process;
    }

    public string Id { get; }

    /// <summary>The port of the node's (first) listener, once <see cref="StartAsync"/> has returned.</summary>
    public int Port { get; private set; }

    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    /// <summary>Starts <c>van node --id ID ARGS…</c> and waits (up to the deadline) for its first <c>listening on</c> line.</summary>
    public static async Task<VanNodeProcess> StartAsync(string id, IEnumerable<string> args, TimeSpan deadline)
    {
        var process = new System.Diagnostics.Process { StartInfo = VanCli.StartInfo(["node", "--id", id, .. args]) };
        var node = new VanNodeProcess(id, process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                node._lines.Writer.TryComplete();
                return;
            }

            lock (node._stdout)
            {
                node._stdout.AppendLine(e.Data);
            }

            node._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (node._stderr)
                {
                    node._stderr.AppendLine(e.Data);
                }
            }
        };

        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var line = await node.ReadLineAsync(l => l.StartsWith(ListeningPrefix, StringComparison.Ordinal), deadline);
            var endpoint = line[ListeningPrefix.Length..];
            node.Port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads stdout lines until one matches, failing at the deadline or when stdout ends.</summary>
    public async Task<string> ReadLineAsync(Func<string, bool> match, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            var why = e is OperationCanceledException ? $"nothing matching within {deadline.TotalSeconds} s" : "stdout ended";
            throw new InvalidOperationException($"Node {Id}: {why}. stdout:\n{Stdout}\nstderr:\n{Stderr}", e);
        }
    }

    /// <summary>kill -9.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for the process to exit (and its stdout and stderr to be drained).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }

        _process.Dispose();
    }
}
