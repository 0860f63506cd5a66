using System.IO.Pipelines;

namespace Van.Core.Transport;

/// <summary>
/// A pair of transports joined back to back in memory, for deterministic many-node simulations and engine tests.
/// What one side writes, the other reads; no socket, no thread of its own.
/// </summary>
public sealed class InMemoryTransport : AmqpTransport
{
    private readonly Pipe _incoming;
    private readonly Pipe _outgoing;
    private InMemoryTransport? _peer;

    private InMemoryTransport(Pipe incoming, Pipe outgoing)
    {
        _incoming = incoming;
        _outgoing = outgoing;
    }

    /// <summary>Creates two connected ends.</summary>
    public static (InMemoryTransport Client, InMemoryTransport Server) CreatePair()
    {
        var a = new Pipe(NonBlockingPipeOptions);
        var b = new Pipe(NonBlockingPipeOptions);
        var client = new InMemoryTransport(a, b);
        var server = new InMemoryTransport(b, a);
        client._peer = server;
        server._peer = client;
        return (client, server);
    }

    /// <inheritdoc />
    public override PipeReader Input => _incoming.Reader;

    /// <inheritdoc />
    public override PipeWriter Output => _outgoing.Writer;

    /// <inheritdoc />
    public override void Abort()
    {
        // Like a reset socket: both directions end, for us and for the peer.
        _outgoing.Writer.Complete();
        _incoming.Writer.Complete();
        _incoming.Reader.CancelPendingRead();
        _peer?._incoming.Reader.CancelPendingRead();
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        _outgoing.Writer.Complete();
        _incoming.Reader.CancelPendingRead();
        return ValueTask.CompletedTask;
    }
}
