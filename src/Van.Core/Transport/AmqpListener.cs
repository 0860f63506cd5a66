using System.Net;
using System.Net.Sockets;

namespace Van.Core.Transport;

/// <summary>Accepts TCP connections and hands each over as an <see cref="AmqpTransport"/>.</summary>
public sealed class AmqpListener : IAsyncDisposable
{
    private readonly Socket _socket;

    private AmqpListener(Socket socket) => _socket = socket;

    /// <summary>The bound end point; when port 0 was asked for, this holds the real port.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Binds and starts listening on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    public static AmqpListener Start(IPEndPoint endPoint, int backlog = 512)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(backlog);
            return new AmqpListener(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the next connection.</summary>
    public async ValueTask<AmqpTransport> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var client = await _socket.AcceptAsync(cancellationToken);
        client.NoDelay = true;
        return AmqpTransport.Create(new NetworkStream(client, ownsSocket: true), client.LocalEndPoint, client.RemoteEndPoint);
    }

    /// <summary>Stops listening. Connections already accepted are not affected.</summary>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
