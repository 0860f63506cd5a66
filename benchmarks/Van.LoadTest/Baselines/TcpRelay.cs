using System.Net;
using System.Net.Sockets;

namespace Van.LoadTest.Baselines;

/// <summary>
/// The floor of a transit hop: a byte relay in its own process (async sockets, .NET only). Each accepted connection
/// gets one connection to the upstream server and two pumps that copy whatever arrives, as it arrives, in one send —
/// no parsing, no routing. Calls through it against direct calls show what any middle process costs on this machine.
/// </summary>
internal sealed class TcpRelay : LoopbackServer
{
    private const int BufferSize = 64 * 1024;
    private readonly int _upstreamPort;

    private TcpRelay(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        StartAccepting();
    }

    public static TcpRelay Start(int upstreamPort) => new(upstreamPort);

    protected override async Task ServeAsync(Socket socket)
    {
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _upstreamPort), Stopping);
        await Task.WhenAny(PumpAsync(socket, upstream), PumpAsync(upstream, socket));
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var received = await from.ReceiveAsync(buffer, SocketFlags.None, Stopping);
                if (received == 0)
                {
                    return;
                }

                await SocketIo.SendAllAsync(to, buffer.AsMemory(0, received), Stopping);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or a side went away.
        }
    }
}
