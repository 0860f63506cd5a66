using System.Buffers.Binary;
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
internal sealed class TcpEchoServer : LoopbackServer
{
    private const int MaxEchoMessage = 64 * 1024;
    private long _bad;

    private TcpEchoServer() => StartAccepting();

    /// <summary>Malformed messages received (a wrong length, a corrupted bulk message).</summary>
    public long Bad => Interlocked.Read(ref _bad);

    public static TcpEchoServer Start() => new();

    protected override async Task ServeAsync(Socket socket)
    {
        var mode = new byte[1];
        if (!await SocketIo.ReceiveExactlyAsync(socket, mode, Stopping))
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

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[256 * 1024];
        var end = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, Stopping);
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
                await SocketIo.SendAllAsync(socket, buffer.AsMemory(0, complete), Stopping);
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
        while (await SocketIo.ReceiveExactlyAsync(socket, header, Stopping))
        {
            if (BinaryPrimitives.ReadInt32LittleEndian(header) != Payloads.BulkSize
                || !await SocketIo.ReceiveExactlyAsync(socket, message, Stopping))
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
            await SocketIo.SendAllAsync(socket, ack, Stopping);
        }
    }
}
