using System.Net;
using System.Net.Sockets;

namespace Van.LoadTest.Baselines;

/// <summary>The few socket helpers the raw TCP baselines share: whole sends, exact receives, loopback connect.</summary>
internal static class SocketIo
{
    /// <summary>Connection modes the raw TCP server reads as a connection's first byte.</summary>
    public const byte EchoMode = (byte)'E';

    public const byte BulkMode = (byte)'B';

    public static async Task<Socket> ConnectAsync(int port, byte mode, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            await SendAllAsync(socket, new[] { mode }, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the peer closed first (at a message boundary or not).</summary>
    public static async ValueTask<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                return false;
            }

            buffer = buffer[received..];
        }

        return true;
    }
}
