using System.Net.Security;
using System.Net.Sockets;

namespace Van.Core.Transport;

/// <summary>Opens outgoing TCP (or TLS over TCP) connections.</summary>
public static class AmqpConnector
{
    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static async Task<AmqpTransport> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return AmqpTransport.Create(new NetworkStream(socket, ownsSocket: true), socket.LocalEndPoint, socket.RemoteEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, then, with <paramref name="tls"/>, runs the TLS
    /// client handshake before returning (see <see cref="AmqpTls.ClientOptions"/>). A refused handshake throws
    /// <see cref="System.Security.Authentication.AuthenticationException"/> naming host:port and the reason (the
    /// server certificate is untrusted or for another host name, the server refused our certificate, the server
    /// does not speak TLS...). Without <paramref name="tls"/>, plain TCP.
    /// </summary>
    public static async Task<AmqpTransport> ConnectAsync(string host, int port, SslClientAuthenticationOptions? tls, CancellationToken cancellationToken = default)
    {
        if (tls is null)
        {
            return await ConnectAsync(host, port, cancellationToken);
        }

        ArgumentException.ThrowIfNullOrEmpty(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? ssl = null;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(tls, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw AmqpTls.HandshakeFailed(ssl, e, $"{host}:{port}");
            }

            return new StreamTransport(ssl, socket.LocalEndPoint, socket.RemoteEndPoint, pendingServerHandshake: null);
        }
        catch
        {
            if (ssl is not null)
            {
                await ssl.DisposeAsync();
            }

            socket.Dispose();
            throw;
        }
    }
}
