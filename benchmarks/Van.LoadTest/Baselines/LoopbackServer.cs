using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Van.LoadTest.Baselines;

/// <summary>
/// A raw TCP server on 127.0.0.1 (a free port): accepts until disposed and serves each connection on its own task;
/// disposing stops accepting, drops every connection and waits (bounded) for their tasks.
/// </summary>
internal abstract class LoopbackServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Task _accepting = Task.CompletedTask;

    protected LoopbackServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
    }

    public int Port { get; }

    /// <summary>Cancelled when the server stops.</summary>
    protected CancellationToken Stopping => _stop.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var socket in _connections.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll([_accepting, .. _connections.Values]).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    /// <summary>Starts accepting; called once the derived server is fully constructed.</summary>
    protected void StartAccepting() => _accepting = AcceptAsync();

    /// <summary>Serves one accepted connection until it ends; the socket is disposed afterwards.</summary>
    protected abstract Task ServeAsync(Socket socket);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                socket.NoDelay = true;
                _connections[socket] = Task.Run(() => RunAsync(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }
    }

    private async Task RunAsync(Socket socket)
    {
        try
        {
            await ServeAsync(socket);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client left, or stopping.
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            socket.Dispose();
        }
    }
}
