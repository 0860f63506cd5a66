using System.Buffers.Binary;
using System.Net.Sockets;
using Van.LoadTest.Harness;

namespace Van.LoadTest.Baselines;

/// <summary>Raw TCP ping-pong: one connection, one 64-byte length-prefixed message out, its echo back, then the next.</summary>
internal sealed class TcpPingPongCaller : Caller, IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _frame = new byte[4 + Payloads.Size];
    private readonly byte[] _reply = new byte[4 + Payloads.Size];

    private TcpPingPongCaller(Socket socket)
    {
        _socket = socket;
        BinaryPrimitives.WriteInt32LittleEndian(_frame, Payloads.Size);
        Payloads.Create(0).CopyTo(_frame.AsSpan(4));
    }

    public static async Task<TcpPingPongCaller> ConnectAsync(int port, CancellationToken cancellationToken) =>
        new(await SocketIo.ConnectAsync(port, SocketIo.EchoMode, cancellationToken));

    public override async ValueTask<bool> CallAsync(long sequence, CancellationToken cancellationToken)
    {
        Payloads.Stamp(_frame.AsSpan(4), sequence);
        await SocketIo.SendAllAsync(_socket, _frame, cancellationToken);
        if (!await SocketIo.ReceiveExactlyAsync(_socket, _reply, cancellationToken))
        {
            throw new EndOfStreamException("The raw TCP server closed the connection.");
        }

        return _reply.AsSpan().SequenceEqual(_frame);
    }

    public void Dispose() => _socket.Dispose();
}
