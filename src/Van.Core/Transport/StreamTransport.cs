using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace Van.Core.Transport;

/// <summary>
/// A transport over a stream. Input is read on demand by the connection's reader loop; output goes through an
/// in-memory pipe that one send loop drains, writing everything that accumulated since its last write.
/// </summary>
internal sealed class StreamTransport : AmqpTransport
{
    private readonly Stream _stream;
    private readonly Pipe _output = new(NonBlockingPipeOptions);
    private readonly PipeReader _input;
    private readonly Task _sendLoop;
    private readonly CancellationTokenSource _abort = new();
    private int _disposed;

    public StreamTransport(Stream stream, EndPoint? local, EndPoint? remote)
    {
        _stream = stream;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _sendLoop = Task.Run(SendLoopAsync);
    }

    public override PipeReader Input => _input;

    public override PipeWriter Output => _output.Writer;

    public override EndPoint? LocalEndPoint { get; }

    public override EndPoint? RemoteEndPoint { get; }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        byte[]? gather = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_abort.Token);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    if (buffer.IsSingleSegment)
                    {
                        await _stream.WriteAsync(buffer.First, _abort.Token);
                    }
                    else
                    {
                        // Gather a burst of small segments into few writes: fewer syscalls, fewer TLS records.
                        gather ??= ArrayPool<byte>.Shared.Rent(64 * 1024);
                        var used = 0;
                        foreach (var segment in buffer)
                        {
                            if (segment.Length > gather.Length - used && used > 0)
                            {
                                await _stream.WriteAsync(gather.AsMemory(0, used), _abort.Token);
                                used = 0;
                            }

                            if (segment.Length >= gather.Length)
                            {
                                await _stream.WriteAsync(segment, _abort.Token);
                                continue;
                            }

                            segment.Span.CopyTo(gather.AsSpan(used));
                            used += segment.Length;
                        }

                        if (used > 0)
                        {
                            await _stream.WriteAsync(gather.AsMemory(0, used), _abort.Token);
                        }
                    }

                    await _stream.FlushAsync(_abort.Token);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            await reader.CompleteAsync();
        }
        catch (Exception e)
        {
            await reader.CompleteAsync(e);
            // The peer is gone or we were aborted: wake the reader loop so the connection notices.
            _input.CancelPendingRead();
        }
        finally
        {
            if (gather is not null)
            {
                ArrayPool<byte>.Shared.Return(gather);
            }
        }
    }

    public override void Abort()
    {
        _abort.Cancel();
        _output.Writer.Complete();
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _output.Writer.CompleteAsync();
        try
        {
            // Let queued frames (a close, say) reach the peer, but never wait forever on a dead socket.
            await _sendLoop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _abort.Cancel();
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _abort.Dispose();
    }
}
