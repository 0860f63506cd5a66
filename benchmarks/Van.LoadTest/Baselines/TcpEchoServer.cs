using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Van.LoadTest.Harness;

namespace Van.LoadTest.Baselines;

/// <summary>
/// The raw TCP baseline's server (async sockets, .NET only). Each connection says its mode in its first byte:
/// <list type="bullet">
/// <item><c>E</c>: length-prefixed messages (4-byte little-endian length) echoed back; every complete message of a
/// receive goes back in one send, as they arrived (the server side of both ping-pong and the batched window).</item>
/// <item><c>B</c>: 1 MiB messages, each read whole, checked and acknowledged with its 8-byte sequence number
/// (-1 when wrong).</item>
/// </list>
/// </summary>
internal sealed class TcpEchoServer : IAsyncDisposable
{
    private const int MaxEchoMessage = 64 * 1024;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly Task _accepting;
    private long _bad;

    private TcpEchoServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Malformed messages received (a wrong length, a corrupted bulk message).</summary>
    public long Bad => Interlocked.Read(ref _bad);

    public static TcpEchoServer Start() => new();

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

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                socket.NoDelay = true;
                _connections[socket] = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            var mode = new byte[1];
            if (!await SocketIo.ReceiveExactlyAsync(socket, mode, _stop.Token))
            {
                return;
            }

            await (mode[0] switch
            {
                SocketIo.EchoMode => EchoAsync(socket),
                SocketIo.BulkMode => BulkAsync(socket),
                _ => Task.CompletedTask,
            });
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

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[256 * 1024];
        var end = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token);
            if (received == 0)
            {
                return;
            }

            end += received;
            var complete = 0;
            while (end - complete >= 4)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(complete));
                if (length is < 0 or > MaxEchoMessage)
                {
                    Interlocked.Increment(ref _bad);
                    return;
                }

                if (end - complete - 4 < length)
                {
                    break;
                }

                complete += 4 + length;
            }

            if (complete > 0)
            {
                await SocketIo.SendAllAsync(socket, buffer.AsMemory(0, complete), _stop.Token);
                buffer.AsSpan(complete, end - complete).CopyTo(buffer);
                end -= complete;
            }
        }
    }

    private async Task BulkAsync(Socket socket)
    {
        var header = new byte[4];
        var message = new byte[Payloads.BulkSize];
        var ack = new byte[8];
        while (await SocketIo.ReceiveExactlyAsync(socket, header, _stop.Token))
        {
            if (BinaryPrimitives.ReadInt32LittleEndian(header) != Payloads.BulkSize
                || !await SocketIo.ReceiveExactlyAsync(socket, message, _stop.Token))
            {
                Interlocked.Increment(ref _bad);
                return;
            }

            var sequence = Payloads.ReadBulk(message);
            if (sequence < 0)
            {
                Interlocked.Increment(ref _bad);
            }

            BinaryPrimitives.WriteInt64LittleEndian(ack, sequence);
            await SocketIo.SendAllAsync(socket, ack, _stop.Token);
        }
    }
}
