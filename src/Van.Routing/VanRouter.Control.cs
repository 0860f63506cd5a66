using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Routing;

public sealed partial class VanRouter
{
    private long _ticks;

    private void Post(ControlEvent e) => _control.Writer.TryWrite(e);

    /// <summary>
    /// The one loop that owns the routing protocol: handles events in order, then recomputes routes once per burst
    /// (never per message, never on the message path) and publishes the new snapshot. Recomputes are at least
    /// <see cref="VanRouterOptions.RecomputeInterval"/> apart: while links come up or a flood passes, the events of that
    /// interval make one new link-state record and one route computation instead of one each.
    /// </summary>
    private async Task RunControlLoopAsync()
    {
        // The policy is fixed from here on: the protocol applies it to every address and record it sees.
        _protocol.Policy = Policy;
        if (!Policy.IsDefault)
        {
            Log.PolicyInEffect(_logger, NodeId, Policy.ToString());
        }

        var reader = _control.Reader;
        var lastRecompute = long.MinValue;

        // One outstanding wait on the channel at a time (it has a single reader): a wait started while the
        // recompute interval runs is carried over, never abandoned with a wake-up inside it.
        Task<bool>? pending = null;
        try
        {
            while (await (pending ?? reader.WaitToReadAsync(_stopping.Token).AsTask()))
            {
                pending = null;
                HandleQueued(reader);
                var wait = lastRecompute == long.MinValue ? TimeSpan.Zero : _options.RecomputeInterval - _time.GetElapsedTime(lastRecompute);
                if (wait > TimeSpan.Zero)
                {
                    var due = Task.Delay(wait, _time, _stopping.Token);
                    while (true)
                    {
                        pending ??= reader.WaitToReadAsync(_stopping.Token).AsTask();
                        if (await Task.WhenAny(pending, due) == due)
                        {
                            break;
                        }

                        if (!await pending)
                        {
                            break;
                        }

                        pending = null;
                        HandleQueued(reader);
                    }

                    await due;
                }

                _protocol.Recompute();
                lastRecompute = _time.GetTimestamp();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void HandleQueued(System.Threading.Channels.ChannelReader<ControlEvent> reader)
    {
        while (reader.TryRead(out var e))
        {
            try
            {
                Handle(e);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ControlEventFailed(_logger, NodeId, e.Kind.ToString(), ex);
            }
        }
    }

    private void Handle(ControlEvent e)
    {
        switch (e.Kind)
        {
            case ControlEventKind.NeighbourUp:
                {
                    var rc = e.Connection!;
                    var peer = rc.PeerId!;
                    var existing = _neighbours.TryGetValue(peer, out var list) ? list : [];
                    _neighbours[peer] = [.. existing, rc];
                    if (!existing.Any(c => c.ProtocolUp))
                    {
                        _protocol.NeighbourUp(peer, rc.Cost);
                    }

                    rc.ProtocolUp = true;
                    if (rc.EarlyControl is { } early)
                    {
                        rc.EarlyControl = null;
                        foreach (var m in early)
                        {
                            _protocol.OnControlMessage(peer, m);
                        }
                    }

                    break;
                }

            case ControlEventKind.NeighbourDown:
                {
                    var rc = e.Connection!;
                    var peer = rc.PeerId!;
                    var remaining = _neighbours.TryGetValue(peer, out var list) ? list.Where(c => c != rc).ToArray() : [];
                    if (remaining.Length == 0)
                    {
                        _neighbours.TryRemove(peer, out _);
                    }
                    else
                    {
                        _neighbours[peer] = remaining;
                    }

                    if (rc.ProtocolUp && !remaining.Any(c => c.ProtocolUp))
                    {
                        _protocol.NeighbourDown(peer);
                    }

                    rc.ProtocolUp = false;
                    break;
                }

            case ControlEventKind.Message:
                {
                    var rc = e.Connection!;
                    if (e.Message is AddressMessage addresses && !WithinAddressLimit(rc, addresses))
                    {
                        break;
                    }

                    if (rc.ProtocolUp)
                    {
                        _protocol.OnControlMessage(rc.PeerId!, e.Message!);
                    }
                    else if (!rc.IsClosed)
                    {
                        (rc.EarlyControl ??= []).Add(e.Message!);
                    }

                    break;
                }

            case ControlEventKind.AddressChanged:
                if (e.Capacity > 0)
                {
                    _protocol.SetLocalAddress(e.Address!, e.Capacity);
                }
                else
                {
                    _protocol.RemoveLocalAddress(e.Address!);
                }

                break;

            case ControlEventKind.Tick:
                if (++_ticks % 64 == 0)
                {
                    PruneCounters();
                }

                foreach (var (peer, connections) in _neighbours)
                {
                    foreach (var rc in connections)
                    {
                        if (rc.Connection is { } connection && rc.ProtocolUp && connection.FramesReceived != rc.FramesSeen)
                        {
                            rc.FramesSeen = connection.FramesReceived;
                            _protocol.NoteAlive(peer);
                        }
                    }
                }

                _protocol.Tick();
                break;
        }
    }

    private async Task RunTimerAsync()
    {
        var period = _options.HelloInterval / 2;
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(period, _time, _stopping.Token);
                Post(new ControlEvent(ControlEventKind.Tick));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>A control message from a neighbour: decoded on its reader loop, handled on the control loop.</summary>
    internal void OnControlDelivery(RouterConnection rc, AmqpDelivery delivery)
    {
        ControlMessage message;
        try
        {
            message = ControlMessage.Decode(delivery.Payload.Span);
        }
        catch (Exception e) when (e is AmqpDecodeException or FormatException)
        {
            Log.BadControlMessage(_logger, NodeId, rc.ToString(), e.Message);
            delivery.Link.Reject(delivery, new Error { Condition = ErrorCondition.DecodeError, Description = $"Malformed control message: {e.Message}" });
            return;
        }

        delivery.Link.Accept(delivery);
        Post(new ControlEvent(ControlEventKind.Message, rc, message));
    }

    private static bool Advertised(string address) => !address.StartsWith("_van/", StringComparison.Ordinal);

    private void AddConsumer(Consumer consumer)
    {
        var capacity = _local.Add(consumer);
        if (Advertised(consumer.Address))
        {
            Post(new ControlEvent(ControlEventKind.AddressChanged, Address: consumer.Address, Capacity: capacity));
        }
    }

    private void RemoveConsumer(Consumer consumer)
    {
        var capacity = _local.Remove(consumer);
        if (Advertised(consumer.Address))
        {
            Post(new ControlEvent(ControlEventKind.AddressChanged, Address: consumer.Address, Capacity: capacity));
        }
    }

    /// <summary>Where the protocol's output goes: control links, dead neighbours, the published snapshot.</summary>
    private sealed class ProtocolOutput(VanRouter router) : IRoutingProtocolOutput
    {
        public void Send(string neighbourId, ControlMessage message)
        {
            if (!router._neighbours.TryGetValue(neighbourId, out var list))
            {
                return;
            }

            var rc = list.FirstOrDefault(c => !c.IsClosed);
            if (rc is null)
            {
                return;
            }

            using var buffer = new AmqpBuffer(1024);
            message.Encode(buffer);
            rc.SendControl(buffer.ToArray());
        }

        public void NeighbourLost(string neighbourId, string reason)
        {
            Log.NeighbourLost(router._logger, router.NodeId, neighbourId, reason);
            if (router._neighbours.TryGetValue(neighbourId, out var list))
            {
                foreach (var rc in list)
                {
                    // The protocol already counts the neighbour as down; the close that follows must not say it twice.
                    rc.ProtocolUp = false;
                    rc.MarkClosed();
                    if (rc.Connection is { } connection)
                    {
                        // The peer is silent, so do not wait for its close: dropping the connection fails what is in
                        // flight on it at once, and senders re-route or learn why.
                        _ = connection.AbortAsync(new Error { Condition = ErrorCondition.ResourceLimitExceeded, Description = reason });
                    }
                }
            }
        }

        public void AddressIgnored(string origin, string site, string address) =>
            Log.ImportRefused(router._logger, router.NodeId, address, origin, site);

        public void SnapshotChanged(RoutingSnapshot snapshot)
        {
            var previous = router._snapshot;
            router._snapshot = snapshot;
            if (RouterTelemetry.RouteChanges.Enabled && !snapshot.HasSameRoutes(previous))
            {
                RouterTelemetry.RouteChanges.Add(1, router.TelemetryTags);
            }

            Interlocked.Exchange(ref router._snapshotChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}
