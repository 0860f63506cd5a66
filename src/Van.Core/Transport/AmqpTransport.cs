using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Van.Core.Transport;

/// <summary>
/// A duplex byte channel an AMQP connection runs over: TCP, TLS over TCP, or in-memory.
/// <see cref="Output"/> never blocks a writer (flushes complete at once); flow control is AMQP's job
/// (session windows and link credit), and one send loop drains the output in bursts.
/// </summary>
public abstract class AmqpTransport : IDuplexPipe, IAsyncDisposable
{
    /// <summary>Bytes arriving from the peer.</summary>
    public abstract PipeReader Input { get; }

    /// <summary>Bytes to send to the peer.</summary>
    public abstract PipeWriter Output { get; }

    /// <summary>The local end point, when the transport has one.</summary>
    public virtual EndPoint? LocalEndPoint => null;

    /// <summary>The peer's end point, when the transport has one.</summary>
    public virtual EndPoint? RemoteEndPoint => null;

    /// <summary>
    /// The peer's certificate, validated by the TLS handshake (against the trust the TLS options name), or null when
    /// the transport is not TLS, the peer sent none, or the handshake has not finished yet. On an accepted TLS
    /// transport the handshake runs on the first read, so this is set once the AMQP protocol header has arrived.
    /// </summary>
    public virtual X509Certificate2? RemoteCertificate => null;

    /// <summary>True when the bytes travel through TLS.</summary>
    public virtual bool IsSecure => false;

    /// <summary>Drops the connection at once, without flushing pending output.</summary>
    public abstract void Abort();

    /// <summary>Creates a transport over a connected stream (a NetworkStream, or an SslStream around one).</summary>
    public static AmqpTransport Create(Stream stream, EndPoint? local = null, EndPoint? remote = null) =>
        new StreamTransport(stream, local, remote);

    /// <summary>Flushes what was written, then closes the connection.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Options for the output pipe: flushes never wait, the send loop drains in bursts, segments are pooled blocks.</summary>
    internal static PipeOptions NonBlockingPipeOptions { get; } = new(
        pool: OutputBlockPool.Shared,
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: OutputBlockPool.BlockSize,
        useSynchronizationContext: false);
}
