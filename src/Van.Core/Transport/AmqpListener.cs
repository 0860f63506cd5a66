using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Van.Core.Transport;

/// <summary>Accepts TCP (or TLS over TCP) connections and hands each over as an <see cref="AmqpTransport"/>.</summary>
public sealed class AmqpListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SslServerAuthenticationOptions? _tls;

    private AmqpListener(Socket socket, SslServerAuthenticationOptions? tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>The bound end point; when port 0 was asked for, this holds the real port.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>True when every accepted connection must speak TLS first.</summary>
    public bool IsSecure => _tls is not null;

    /// <summary>Binds and starts listening on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    public static AmqpListener Start(IPEndPoint endPoint, int backlog = 512) => Start(endPoint, tls: null, backlog);

    /// <summary>
    /// Binds and starts listening on <paramref name="endPoint"/> (port 0 picks a free port). With
    /// <paramref name="tls"/>, every accepted connection is TLS only (see <see cref="AmqpTls.ServerOptions"/>): the
    /// TLS handshake runs when the connection first reads, not in <see cref="AcceptAsync"/>, so it is bounded by
    /// the AMQP handshake timeout and a slow client never holds up the next accept. A client that does not speak
    /// TLS, or whose certificate is refused, fails the AMQP handshake with an <see cref="System.Security.Authentication.AuthenticationException"/>
    /// saying why.
    /// </summary>
    public static AmqpListener Start(IPEndPoint endPoint, SslServerAuthenticationOptions? tls, int backlog = 512)
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
            return new AmqpListener(socket, tls);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the next connection. Returns as soon as the socket is accepted, TLS or not.</summary>
    public async ValueTask<AmqpTransport> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var client = await _socket.AcceptAsync(cancellationToken);
        client.NoDelay = true;
        if (_tls is null)
        {
            return AmqpTransport.Create(new NetworkStream(client, ownsSocket: true), client.LocalEndPoint, client.RemoteEndPoint);
        }

        var ssl = new SslStream(new NetworkStream(client, ownsSocket: true), leaveInnerStreamOpen: false);
        return new StreamTransport(ssl, client.LocalEndPoint, client.RemoteEndPoint, pendingServerHandshake: _tls);
    }

    /// <summary>Stops listening. Connections already accepted are not affected.</summary>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
