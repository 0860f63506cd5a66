using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Van.LoadTest.Harness;

namespace Van.LoadTest.Baselines;

/// <summary>
/// Raw TCP streaming of 1 MiB messages on one connection: the writer keeps <see cref="Window"/> messages
/// unacknowledged, the server checks each whole message and acknowledges it with its sequence number (so the figure
/// is delivered-and-checked data, as Van's accepted sends are). A fresh connection per measurement.
/// </summary>
internal sealed class TcpBulkLoad(int port) : Load
{
    public const int Window = 8;
    private long _completed;

    public override long Completed => Interlocked.Read(ref _completed);

    public override async Task RunAsync(Func<bool> stopping, Check check, CancellationToken cancellationToken)
    {
        using var socket = await SocketIo.ConnectAsync(port, SocketIo.BulkMode, cancellationToken);
        using var credits = new SemaphoreSlim(Window, Window);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sent = new ConcurrentQueue<long>();
        var writerDone = false;
        var reading = Task.Run(
            async () =>
            {
                var ack = new byte[8];
                try
                {
                    while (await SocketIo.ReceiveExactlyAsync(socket, ack, cancellationToken))
                    {
                        var sequence = BinaryPrimitives.ReadInt64LittleEndian(ack);
                        if (!sent.TryDequeue(out var expected) || sequence != expected)
                        {
                            check.Wrong($"bulk message {expected}: acknowledged as {sequence}");
                        }

                        Interlocked.Increment(ref _completed);
                        credits.Release();
                    }
                }
                catch (Exception e) when (Volatile.Read(ref writerDone) && e is SocketException or ObjectDisposedException)
                {
                    // The writer closed the connection once everything was acknowledged.
                }
                catch
                {
                    // The writer must not wait for credits that will never come.
                    await failed.CancelAsync();
                    throw;
                }
            },
            CancellationToken.None);

        var frame = new byte[4 + Payloads.BulkSize];
        BinaryPrimitives.WriteInt32LittleEndian(frame, Payloads.BulkSize);
        Payloads.CreateBulk().CopyTo(frame.AsSpan(4));
        long next = 0;
        try
        {
            while (!stopping() && !check.TooMany)
            {
                await credits.WaitAsync(failed.Token);
                Payloads.StampBulk(frame.AsSpan(4), next);
                sent.Enqueue(next++);
                await SocketIo.SendAllAsync(socket, frame, failed.Token);
            }

            for (var i = 0; i < Window; i++)
            {
                await credits.WaitAsync(failed.Token);
            }
        }
        catch (OperationCanceledException) when (reading.IsFaulted)
        {
            await reading;
        }

        Volatile.Write(ref writerDone, true);
        socket.Shutdown(SocketShutdown.Both);
        await reading;
    }
}
