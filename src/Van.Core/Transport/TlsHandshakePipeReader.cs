using System.IO.Pipelines;

namespace Van.Core.Transport;

/// <summary>
/// The input of an accepted TLS transport: the first read runs the TLS server handshake (bounded by that read's
/// token, which is the AMQP handshake timeout), and only then reads bytes. Accepting a socket thus never waits on
/// the client, and a client that never starts TLS is dropped like one that never sends the AMQP header.
/// </summary>
internal sealed class TlsHandshakePipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly Func<CancellationToken, Task> _handshake;
    private volatile bool _ready;

    public TlsHandshakePipeReader(PipeReader inner, Func<CancellationToken, Task> handshake)
    {
        _inner = inner;
        _handshake = handshake;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        _ready ? _inner.ReadAsync(cancellationToken) : HandshakeThenReadAsync(cancellationToken);

    private async ValueTask<ReadResult> HandshakeThenReadAsync(CancellationToken cancellationToken)
    {
        await _handshake(cancellationToken);
        _ready = true;
        return await _inner.ReadAsync(cancellationToken);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_ready)
        {
            result = default;
            return false;
        }

        return _inner.TryRead(out result);
    }

    public override void AdvanceTo(SequencePosition consumed) => _inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);
}
