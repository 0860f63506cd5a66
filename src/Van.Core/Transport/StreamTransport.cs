using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;

namespace Van.Core.Transport;

/// <summary>
/// A transport over a stream. Input is read on demand by the connection's reader loop; output goes through an
/// in-memory pipe that one send loop drains, writing everything that accumulated since its last write.
/// Over TLS the stream is an <see cref="SslStream"/>: a client's is authenticated before the transport is made;
/// an accepted one is authenticated by the first read of <see cref="Input"/> (see <see cref="TlsHandshakePipeReader"/>),
/// and the send loop writes nothing until that handshake has finished. A plain stream pays nothing for this.
/// </summary>
internal sealed class StreamTransport : AmqpTransport
{
    private readonly Stream _stream;

    /// <summary>Segments per gathering send: well under the kernel's limit on one call's buffers (IOV_MAX, 1,024).</summary>
    private const int MaxGatheredSegments = 256;

    /// <summary>The socket under a plain TCP stream: a burst of segments goes out in one gathering send, uncopied.</summary>
    private readonly Socket? _socket;
    private readonly Pipe _output = new(NonBlockingPipeOptions);
    private readonly PipeReader _input;
    private readonly Task _sendLoop;
    private readonly CancellationTokenSource _abort = new();
    private readonly SslStream? _tls;
    private readonly SslServerAuthenticationOptions? _serverTls;
    private readonly TaskCompletionSource? _tlsReady;
    private Task? _serverHandshake;
    private X509Certificate2? _remoteCertificate;
    private int _disposed;

    public StreamTransport(Stream stream, EndPoint? local, EndPoint? remote)
    {
        _stream = stream;
        _socket = (stream as NetworkStream)?.Socket;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _sendLoop = Task.Run(SendLoopAsync);
    }

    /// <summary>
    /// A transport over TLS. With <paramref name="pendingServerHandshake"/> the stream is not authenticated yet: the
    /// first read runs the server handshake with these options. Without it, the stream is already authenticated.
    /// </summary>
    public StreamTransport(SslStream tls, EndPoint? local, EndPoint? remote, SslServerAuthenticationOptions? pendingServerHandshake)
    {
        _stream = tls;
        _tls = tls;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        var input = PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        if (pendingServerHandshake is null)
        {
            _remoteCertificate = AmqpTls.AsCertificate2(tls.RemoteCertificate);
            _input = input;
        }
        else
        {
            _serverTls = pendingServerHandshake;
            _tlsReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _input = new TlsHandshakePipeReader(input, ServerHandshakeAsync);
        }

        _sendLoop = Task.Run(SendLoopAsync);
    }

    public override PipeReader Input => _input;

    public override X509Certificate2? RemoteCertificate => Volatile.Read(ref _remoteCertificate);

    public override bool IsSecure => _tls is not null;

    private Task ServerHandshakeAsync(CancellationToken cancellationToken)
    {
        // Only the reader loop reads, one read at a time: the first read starts the handshake, with its token.
        _serverHandshake ??= RunServerHandshakeAsync(cancellationToken);
        return _serverHandshake.WaitAsync(cancellationToken);
    }

    private async Task RunServerHandshakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _tls!.AuthenticateAsServerAsync(_serverTls!, cancellationToken);
            Volatile.Write(ref _remoteCertificate, AmqpTls.AsCertificate2(_tls.RemoteCertificate));
            _tlsReady!.TrySetResult();
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            _tlsReady!.TrySetCanceled(e.CancellationToken);
            throw;
        }
        catch (Exception e)
        {
            var failure = AmqpTls.HandshakeFailed(_tls!, e, endPoint: null);
            _tlsReady!.TrySetException(failure);
            throw failure;
        }
    }

    public override PipeWriter Output => _output.Writer;

    public override EndPoint? LocalEndPoint { get; }

    public override EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// Sends every segment of <paramref name="buffer"/> with gathering socket sends (the kernel copies from each
    /// segment; no copy into one buffer first), continuing after a partial send until all of it is out.
    /// </summary>
    private async Task SendGatheredAsync(Socket socket, ReadOnlySequence<byte> buffer, List<ArraySegment<byte>> segments)
    {
        while (!buffer.IsEmpty)
        {
            segments.Clear();
            foreach (var segment in buffer)
            {
                if (!MemoryMarshal.TryGetArray(segment, out var array))
                {
                    throw new InvalidOperationException("An output segment is not array-backed.");
                }

                segments.Add(array);
                if (segments.Count == MaxGatheredSegments)
                {
                    break;
                }
            }

            var sent = await socket.SendAsync(segments, SocketFlags.None).WaitAsync(_abort.Token);
            if (sent <= 0)
            {
                throw new IOException("The connection accepted no bytes.");
            }

            buffer = buffer.Slice(sent);
        }

        segments.Clear();
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        byte[]? gather = null;
        List<ArraySegment<byte>>? segments = null;
        try
        {
            if (_tlsReady is not null)
            {
                // An accepted TLS stream cannot be written before its handshake (run by the first read) is done.
                await _tlsReady.Task.WaitAsync(_abort.Token);
            }

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
                    else if (_socket is not null)
                    {
                        await SendGatheredAsync(_socket, buffer, segments ??= []);
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
        _tlsReady?.TrySetCanceled();
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

        // A TLS handshake that has not finished never will: nothing queued can be sent.
        _tlsReady?.TrySetCanceled();
        try
        {
            // Let queued frames (a close, say) reach the peer, but never wait forever on a dead socket.
            await _sendLoop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _abort.Cancel();

        // The input is not completed here: the connection's reader loop may be inside a read or still parsing the
        // buffer it returned, and completing the reader hands its segments back to the pool under it (another
        // connection then reuses them, and the parser reads foreign bytes: "frame size 5444032", or "Reading is not
        // allowed after reader was completed"). Wake the reader instead; whoever reads completes the input.
        _input.CancelPendingRead();
        await _stream.DisposeAsync();
        _abort.Dispose();
    }
}
