using System.Buffers;
using System.Buffers.Binary;
using Van.Core.Amqp.Engine;

namespace Van.Routing.Internal;

/// <summary>
/// The pre-settled copies (multicast) for one data link: sent at once while the link can take them, otherwise queued
/// in order, packed into pooled segments, and sent by one drain at a time as credit comes. A publisher that outruns the
/// link costs no task, array or state machine per copy, and no regrowth: a segment goes back to the pool once drained.
/// At most once: copies still queued when the link fails are dropped, as a copy sent on a failed link would be.
/// </summary>
internal sealed class PresettledCopies(SenderLink sender)
{
    /// <summary>Copies are packed into segments of this size (one bigger copy gets a segment of its own).</summary>
    internal const int SegmentSize = 64 * 1024;

    private readonly Lock _lock = new();
    private List<Segment> _queued = [];   // each: [int32 length][message]…
    private List<Segment>? _spare = [];
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
        var needed = 4 + message.Length;
        if (_queued.Count == 0 || _queued[^1].Free < needed)
        {
            _queued.Add(new Segment(ArrayPool<byte>.Shared.Rent(Math.Max(SegmentSize, needed))));
        }

        var segment = _queued[^1];
        var span = segment.Array.AsSpan(segment.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, message.Length);
        message.CopyTo(span[4..]);
        segment.Length += needed;
        _queued[^1] = segment;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Segment> batch;
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _draining = false;
                    return;
                }

                batch = _queued;
                _queued = _spare ?? [];
                _spare = null;
            }

            try
            {
                foreach (var segment in batch)
                {
                    await SendAllAsync(segment);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // At most once: the link is gone (or failed them), and so are the copies queued for it.
                List<Segment> dropped;
                lock (_lock)
                {
                    dropped = _queued;
                    _queued = [];
                    _draining = false;
                }

                Recycle(dropped, keep: false);
                Recycle(batch, keep: true);
                return;
            }

            Recycle(batch, keep: true);
        }
    }

    /// <summary>Sends every copy in <paramref name="segment"/> in order: at once while the link takes them, else waiting for it.</summary>
    private async Task SendAllAsync(Segment segment)
    {
        var offset = 0;
        while (offset < segment.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(segment.Array.AsSpan(offset));
            var message = segment.Array.AsMemory(offset + 4, length);
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

    /// <summary>Gives the segments back to the pool; the emptied list is kept as the spare when <paramref name="keep"/>.</summary>
    private void Recycle(List<Segment> segments, bool keep)
    {
        foreach (var segment in segments)
        {
            ArrayPool<byte>.Shared.Return(segment.Array);
        }

        segments.Clear();
        if (!keep)
        {
            return;
        }

        lock (_lock)
        {
            _spare ??= segments;
        }
    }

    private record struct Segment(byte[] Array)
    {
        public int Length { get; set; }

        public readonly int Free => Array.Length - Length;
    }
}
