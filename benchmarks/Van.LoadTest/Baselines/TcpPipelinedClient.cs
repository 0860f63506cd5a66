using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using Van.LoadTest.Harness;

namespace Van.LoadTest.Baselines;

/// <summary>
/// Raw TCP with a window: one connection shared by every caller, requests pipelined. Callers queue their message; one
/// writer drains whatever is queued into a single send; one reader matches echoes to callers in order (TCP keeps it)
/// and completes them inline. With 64 callers the window is 64 deep. Nothing is allocated per call.
/// </summary>
internal sealed class TcpPipelinedClient : IAsyncDisposable
{
    internal const int FrameSize = 4 + Payloads.Size;
    private const int MaxBatch = 256;
    private readonly Socket _socket;
    private readonly Channel<PipelinedCall> _queue = Channel.CreateUnbounded<PipelinedCall>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<PipelinedCall> _sent = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writing;
    private readonly Task _reading;

    private TcpPipelinedClient(Socket socket)
    {
        _socket = socket;
        _writing = Task.Run(WriteAsync);
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<TcpPipelinedClient> ConnectAsync(int port, CancellationToken cancellationToken) =>
        new(await SocketIo.ConnectAsync(port, SocketIo.EchoMode, cancellationToken));

    public Caller CreateCaller(int worker) => new PipelinedCall(this, worker);

    internal void Enqueue(PipelinedCall call)
    {
        if (!_queue.Writer.TryWrite(call))
        {
            call.Fail(new ObjectDisposedException(nameof(TcpPipelinedClient)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await Task.WhenAll(_writing, _reading).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Stopped mid-operation, as asked (or the server went first): nothing is waiting on these loops any more.
        }

        _stop.Dispose();
    }

    private async Task WriteAsync()
    {
        var batch = new byte[MaxBatch * FrameSize];
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token))
            {
                var count = 0;
                while (count < MaxBatch && _queue.Reader.TryRead(out var call))
                {
                    call.Frame.CopyTo(batch.AsSpan(count * FrameSize));
                    _sent.Enqueue(call);
                    count++;
                }

                await SocketIo.SendAllAsync(_socket, batch.AsMemory(0, count * FrameSize), _stop.Token);
            }
        }
        catch (Exception e)
        {
            FailAll(e);
            throw;
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        var end = 0;
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token);
                if (received == 0)
                {
                    throw new EndOfStreamException("The raw TCP server closed the connection.");
                }

                end += received;
                var offset = 0;
                for (; end - offset >= FrameSize; offset += FrameSize)
                {
                    if (!_sent.TryDequeue(out var call))
                    {
                        throw new InvalidDataException("An echo arrived for no request.");
                    }

                    var reply = buffer.AsSpan(offset, FrameSize);
                    call.Complete(BinaryPrimitives.ReadInt32LittleEndian(reply) == Payloads.Size && reply.SequenceEqual(call.Frame));
                }

                buffer.AsSpan(offset, end - offset).CopyTo(buffer);
                end -= offset;
            }
        }
        catch (Exception e)
        {
            FailAll(e);
            throw;
        }
    }

    private void FailAll(Exception e)
    {
        while (_sent.TryDequeue(out var call))
        {
            call.Fail(e);
        }
    }
}
