using System.Buffers;
using System.Buffers.Binary;
using Van.Core.Amqp.Engine;

namespace Van.Routing.Internal;

/// <summary>
/// The pre-settled copies (multicast) for one data link: sent at once while the link can take them, otherwise queued
/// in order, packed into one buffer, and sent by one drain at a time as credit comes. A publisher that outruns the link
/// costs no task, array or state machine per copy (a drain's buffer is swapped with a spare, both reused).
/// At most once: copies still queued when the link fails are dropped, as a copy sent on a failed link would be.
/// </summary>
internal sealed class PresettledCopies(SenderLink sender)
{
    /// <summary>A queue buffer that grew past this (a burst of big copies) is let go once drained.</summary>
    private const int MaxKeptBytes = 256 * 1024;

    private readonly Lock _lock = new();
    private ArrayBufferWriter<byte> _queued = new(1024); // [int32 length][message]…
    private ArrayBufferWriter<byte>? _spare = new(1024);
    private bool _draining;

    public SenderLink Sender => sender;

    /// <summary>Sends <paramref name="message"/> (copied before this returns), or queues it behind the copies already waiting.</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        lock (_lock)
        {
            if (_draining)
            {
                Append(message);
                return;
            }

            try
            {
                if (sender.TrySend(message, settled: true, sink: null, token: 0))
                {
                    return;
                }
            }
            catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // At most once.
                return;
            }

            Append(message);
            _draining = true;
        }

        _ = DrainAsync();
    }

    private void Append(ReadOnlySpan<byte> message)
    {
        var span = _queued.GetSpan(4 + message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, message.Length);
        message.CopyTo(span[4..]);
        _queued.Advance(4 + message.Length);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            ArrayBufferWriter<byte> batch;
            lock (_lock)
            {
                if (_queued.WrittenCount == 0)
                {
                    _draining = false;
                    return;
                }

                batch = _queued;
                _queued = _spare ?? new ArrayBufferWriter<byte>(1024);
                _spare = null;
            }

            try
            {
                await SendAllAsync(batch);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // At most once: the link is gone (or failed them), and so are the copies queued for it.
                lock (_lock)
                {
                    _queued.ResetWrittenCount();
                    _draining = false;
                }

                Keep(batch);
                return;
            }

            Keep(batch);
        }
    }

    /// <summary>Sends every copy in <paramref name="batch"/> in order: at once while the link takes them, else waiting for it.</summary>
    private async Task SendAllAsync(ArrayBufferWriter<byte> batch)
    {
        var offset = 0;
        while (offset < batch.WrittenCount)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(batch.WrittenSpan[offset..]);
            var message = batch.WrittenMemory.Slice(offset + 4, length);
            offset += 4 + length;
            try
            {
                if (!sender.TrySend(message.Span, settled: true, sink: null, token: 0))
                {
                    await sender.SendAsync(message, settled: true);
                }
            }
            catch (Exception e) when (e is (AmqpException and not AmqpDeliveryNotSentException) or (InvalidOperationException and not ObjectDisposedException))
            {
                // This copy cannot go (bigger than the receiver takes, say): at most once, and the others still go.
            }
        }
    }

    private void Keep(ArrayBufferWriter<byte> batch)
    {
        if (batch.Capacity > MaxKeptBytes)
        {
            return;
        }

        batch.ResetWrittenCount();
        lock (_lock)
        {
            if (_spare is null)
            {
                _spare = batch;
            }
        }
    }
}
