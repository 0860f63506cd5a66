using System.Net;
using System.Net.Sockets;
using Van.Core.Transport;

namespace Van.Core.Tests.Transport;

public class StreamTransportTests
{
    [Fact]
    public async Task Output_ManyBlocksFlushedAtOnceOverTcp_ArriveByteForByteInOrder()
    {
        // 3 MiB written in uneven pieces and flushed together: the send loop hands many pooled blocks to one
        // gathering socket send after another, and the peer must read exactly what was written.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
        using var server = await listener.AcceptAsync(timeout.Token);

        var data = new byte[3 * 1024 * 1024];
        new Random(11).NextBytes(data);
        await using var transport = AmqpTransport.Create(new NetworkStream(client, ownsSocket: false));
        var offset = 0;
        var piece = 1;
        while (offset < data.Length)
        {
            var n = Math.Min(piece, data.Length - offset);
            data.AsSpan(offset, n).CopyTo(transport.Output.GetSpan(n));
            transport.Output.Advance(n);
            offset += n;
            piece = (piece * 7 % 40_000) + 1;
        }

        await transport.Output.FlushAsync(timeout.Token);

        var received = new byte[data.Length];
        var read = 0;
        while (read < received.Length)
        {
            var n = await server.ReceiveAsync(received.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, $"the connection ended after {read} bytes");
            read += n;
        }

        Assert.True(received.AsSpan().SequenceEqual(data));
    }
}
