using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using Van.Core.Amqp.Framing;
using Van.Core.Engine.Tests.HostilePeer;

namespace Van.Core.Engine.Tests.Security;

/// <summary>
/// A raw AMQP peer over real TLS: it writes the bytes a test hands it and decodes what the server answers, so a
/// test can see the SASL mechanism list and send SASL inits no Van client would. Every read has a deadline.
/// </summary>
internal sealed class TlsRawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SslStream _ssl;

    private TlsRawPeer(Socket socket, SslStream ssl)
    {
        _socket = socket;
        _ssl = ssl;
    }

    public static async Task<TlsRawPeer> ConnectAsync(int port, SslClientAuthenticationOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(RawPeer.ReadDeadline);
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), cts.Token);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await ssl.AuthenticateAsClientAsync(options, cts.Token);
        return new TlsRawPeer(socket, ssl);
    }

    public async Task SendAsync(params byte[][] parts)
    {
        using var cts = new CancellationTokenSource(RawPeer.ReadDeadline);
        await _ssl.WriteAsync(Frames.Concat(parts), cts.Token);
        await _ssl.FlushAsync(cts.Token);
    }

    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        using var cts = new CancellationTokenSource(RawPeer.ReadDeadline);
        var bytes = new byte[count];
        await _ssl.ReadExactlyAsync(bytes, cts.Token);
        return bytes;
    }

    public async Task<Performative?> ReadFrameAsync()
    {
        var sizeBytes = await ReadExactlyAsync(4);
        var size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes);
        Assert.InRange(size, 8u, 1024u * 1024);
        var frame = new byte[size];
        sizeBytes.CopyTo(frame, 0);
        (await ReadExactlyAsync((int)size - 4)).CopyTo(frame, 4);
        return FrameCodec.ReadFrameBody(frame, out _, out _, out _);
    }

    /// <summary>Waits until the server ends the stream; returns whatever came before the end.</summary>
    public async Task<int> ReadToEndAsync()
    {
        using var cts = new CancellationTokenSource(RawPeer.ReadDeadline);
        var total = 0;
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await _ssl.ReadAsync(buffer, cts.Token)) > 0)
            {
                total += n;
            }
        }
        catch (IOException)
        {
            // A reset or an abrupt TLS end: the stream is over all the same.
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _socket.Dispose();
    }
}
