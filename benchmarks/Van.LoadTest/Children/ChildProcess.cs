using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Van.LoadTest.Children;

/// <summary>
/// A server this program started as a child process (this executable with <c>--child ROLE</c>): it prints
/// <c>ready key=value…</c> once serving, answers commands on stdin (<c>stats</c>) with one line, and exits on
/// <c>quit</c> or when its stdin closes, so it never outlives this process. Disposing asks it to quit and kills it
/// (by its id) if it has not within the timeout.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Started = new();
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StringBuilder _errors = new();
    private readonly SemaphoreSlim _commands = new(1, 1);
    private readonly Task _pump;

    private ChildProcess(Process process, string role)
    {
        _process = process;
        Role = role;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _pump = PumpAsync();
    }

    public string Role { get; }

    public int Id => _process.Id;

    /// <summary>What the child said when ready (<c>port</c>, <c>id</c>, <c>rss</c>…).</summary>
    public IReadOnlyDictionary<string, string> Ready { get; private set; } = new Dictionary<string, string>();

    /// <summary>The child's CPU time so far (user + system), read from the OS.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ChildProcess> StartAsync(string role, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown."),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Run as `dotnet Van.LoadTest.dll` rather than through the app host: the child is this program all the same.
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Van.LoadTest.dll"));
        }

        start.ArgumentList.Add("--child");
        start.ArgumentList.Add(role);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the '{role}' child process.");
        Started[process.Id] = process;
        var child = new ChildProcess(process, role);
        try
        {
            var ready = await child.ReadLineAsync(timeout, cancellationToken);
            if (!ready.StartsWith("ready", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The '{role}' child said '{ready}' instead of ready.");
            }

            child.Ready = Parse(ready);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a command and returns the key=value pairs of the one line the child answers with.</summary>
    public async Task<Dictionary<string, string>> QueryAsync(string command, CancellationToken cancellationToken)
    {
        await _commands.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync(command.AsMemory(), cancellationToken);
            await _process.StandardInput.FlushAsync(cancellationToken);
            return Parse(await ReadLineAsync(TimeSpan.FromSeconds(10), cancellationToken));
        }
        finally
        {
            _commands.Release();
        }
    }

    /// <summary>Kills every child still running (by id), for an abrupt exit of this process.</summary>
    public static void KillAll()
    {
        foreach (var process in Started.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("quit");
                _process.StandardInput.Close();
            }
        }
        catch (IOException)
        {
            // It has gone already (its stdin is closed).
        }

        using (var quit = new CancellationTokenSource(QuitTimeout))
        {
            try
            {
                await _process.WaitForExitAsync(quit.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"the '{Role}' child (pid {_process.Id}) did not quit within {QuitTimeout.TotalSeconds:0} s: killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        await _pump.WaitAsync(TimeSpan.FromSeconds(5));
        Started.TryRemove(_process.Id, out _);
        _process.Dispose();
        _commands.Dispose();
    }

    private async Task<string> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(deadline.Token) && _lines.Reader.TryRead(out var line))
            {
                return line;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The '{Role}' child (pid {_process.Id}) did not answer within {timeout.TotalSeconds:0} s.{Errors()}");
        }

        throw new InvalidOperationException($"The '{Role}' child (pid {_process.Id}) exited.{Errors()}");
    }

    private string Errors()
    {
        lock (_errors)
        {
            return _errors.Length == 0 ? "" : $" Its stderr:{Environment.NewLine}{_errors}";
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private static Dictionary<string, string> Parse(string line)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                pairs[part[..equals]] = part[(equals + 1)..];
            }
        }

        return pairs;
    }
}
