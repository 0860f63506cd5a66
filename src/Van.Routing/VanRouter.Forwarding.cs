using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal;

namespace Van.Routing;

public sealed partial class VanRouter
{
    private readonly ConcurrentDictionary<(string Node, string Address), StrongBox<int>> _remoteLoad = new();
    // Turns per address, so equal choices alternate for each address whatever else the node routes.
    private readonly ConcurrentDictionary<string, StrongBox<uint>> _localTurns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<uint>> _remoteTurns = new(StringComparer.Ordinal);

    /// <summary>
    /// Drops load and turn counters of addresses or destinations routing no longer knows (called on the control loop
    /// now and then), so a node that sees many short-lived addresses does not keep them all. A forward still holding a
    /// dropped counter only skews one load figure until it completes.
    /// </summary>
    internal int CounterCount => _remoteLoad.Count + _remoteTurns.Count + _localTurns.Count;

    internal void PruneCounters()
    {
        var snapshot = _snapshot;
        foreach (var (key, box) in _remoteLoad)
        {
            if (Volatile.Read(ref box.Value) == 0 && !snapshot.GetDestinations(key.Address).Any(d => d.NodeId == key.Node))
            {
                _remoteLoad.TryRemove(new KeyValuePair<(string, string), StrongBox<int>>(key, box));
            }
        }

        foreach (var address in _remoteTurns.Keys)
        {
            if (snapshot.GetDestinations(address).Count < 2)
            {
                _remoteTurns.TryRemove(address, out _);
            }
        }

        foreach (var address in _localTurns.Keys)
        {
            if (_local.Get(address).Length < 2)
            {
                _localTurns.TryRemove(address, out _);
            }
        }
    }

    private static uint NextTurn(ConcurrentDictionary<string, StrongBox<uint>> turns, string address) =>
        Interlocked.Increment(ref turns.GetOrAdd(address, static _ => new StrongBox<uint>()).Value);

    /// <summary>A message from a client's sender link: this node is its ingress.</summary>
    internal void OnClientDelivery(ProducerLink producer, AmqpDelivery delivery)
    {
        var link = producer.Link;
        var presettled = delivery.RemoteSettled;
        void Complete(DeliveryState state)
        {
            if (!presettled)
            {
                link.Settle(delivery, state);
            }

            producer.ReturnCredit();
        }

        RouteIngress(delivery.Payload, producer.TargetAddress, presettled, Complete);
    }

    private void RouteFromLocal(ReadOnlyMemory<byte> message, bool multicast, TaskCompletionSource<DeliveryState> completion) =>
        RouteIngress(message, null, presettled: false, state => completion.TrySetResult(state), multicast);

    private void RouteIngress(ReadOnlyMemory<byte> message, string? linkAddress, bool presettled, Action<DeliveryState> complete, bool multicast = false)
    {
        RoutingHeader header;
        var address = linkAddress;
        try
        {
            header = RoutingHeader.Read(message.Span);
            if (address is null && new MessageReader(message.Span).TryGetTo(out var to))
            {
                address = Encoding.UTF8.GetString(to);
            }
        }
        catch (AmqpDecodeException e)
        {
            complete(Reject(ErrorCondition.DecodeError, $"Node '{NodeId}' cannot read the message: {e.Message}"));
            return;
        }

        if (string.IsNullOrEmpty(address))
        {
            complete(Reject(VanErrors.NoAddress, "The message has no address: the link has no target address and the message no 'to'."));
            return;
        }

        // Whatever a client put in the routing annotations is not trusted: the ingress decides the route.
        header.To = address;
        header.Dest = [];
        header.Trace = [];
        header.Multicast = false;
        var f = new InFlight(message, address, header, fromNode: false, presettled, complete);
        if (multicast)
        {
            RouteMulticast(f);
        }
        else
        {
            Route(f);
        }
    }

    /// <summary>A message forwarded by a neighbour on its data link.</summary>
    internal void OnNodeDelivery(RouterConnection rc, AmqpDelivery delivery)
    {
        var link = delivery.Link;
        RouterTelemetry.RecordTransfer(rc.ReceivedTags, delivery.Payload.Length);
        RoutingHeader header;
        try
        {
            header = RoutingHeader.Read(delivery.Payload.Span);
        }
        catch (AmqpDecodeException e)
        {
            link.Reject(delivery, new Error { Condition = ErrorCondition.DecodeError, Description = $"Node '{NodeId}' cannot read the message: {e.Message}" });
            return;
        }

        if (header.To is null)
        {
            link.Reject(delivery, new Error { Condition = VanErrors.NoAddress, Description = $"A message from node '{rc.PeerId}' has no '{RoutingAnnotationKeys.To}' annotation." });
            return;
        }

        if (Array.IndexOf(header.Trace, NodeId) >= 0)
        {
            // A stale route sent it back here: give it back rather than let it circle.
            Log.LoopDetected(_logger, NodeId, header.To);
            link.Release(delivery);
            return;
        }

        var presettled = delivery.RemoteSettled;
        Action<DeliveryState> complete = state =>
        {
            if (!presettled)
            {
                link.Settle(delivery, state);
            }
        };

        // Traced only when someone listens, in a closure of its own, so an untraced message costs nothing more.
        if (RouterTelemetry.Source.HasListeners()
            && RouterTelemetry.StartForward(delivery.Payload.Span, NodeId, header.To, header.Dest.Length == 1 ? header.Dest[0] : null) is { } activity)
        {
            complete = RouterTelemetry.StopForwardThen(activity, complete);
        }

        Route(new InFlight(delivery.Payload, header.To, header, fromNode: true, presettled, complete));
    }

    private void Route(InFlight f)
    {
        var address = f.Address;
        if (f.FromNode && f.Header.Multicast)
        {
            // The ingress chose multicast (its configuration, or a publish): every node on the tree follows suit.
            RouteMulticast(f);
            return;
        }

        if (address.StartsWith(NodeAddressPrefix, StringComparison.Ordinal))
        {
            var end = address.IndexOf('/', NodeAddressPrefix.Length);
            var node = end < 0 ? address[NodeAddressPrefix.Length..] : address[NodeAddressPrefix.Length..end];
            if (f.Header.Dest.Length != 1)
            {
                f.Header.Dest = [node];
            }

            // A node address names a node that has sent us something (a reply address, say): if it is not routable
            // yet, routes are still converging, so the ingress waits for them rather than failing at once.
            f.SawRoute = node != NodeId;

            _ = RouteUnicastAsync(f, Distribution.Closest);
            return;
        }

        var distribution = DistributionOf(address);
        if (distribution == Distribution.Multicast)
        {
            RouteMulticast(f);
        }
        else
        {
            _ = RouteUnicastAsync(f, distribution);
        }
    }

    private Distribution DistributionOf(string address)
    {
        foreach (var (prefix, distribution) in _distributions)
        {
            if (address.StartsWith(prefix, StringComparison.Ordinal))
            {
                return distribution;
            }
        }

        return _options.DefaultDistribution;
    }

    private async Task RouteUnicastAsync(InFlight f, Distribution distribution)
    {
        f.Started = _time.GetTimestamp();
        f.SnapshotVersion = _snapshot.Version;
        try
        {
            while (true)
            {
                // The destination node is fixed once chosen (by the ingress, or by a node address); this node then
                // either is it or forwards toward it. Only the ingress chooses among nodes.
                var transit = f.Header.Dest.Length == 1;
                Consumer? local = null;
                RouterConnection? hop = null;
                string? destNode = null;
                if (transit)
                {
                    destNode = f.Header.Dest[0];
                    if (destNode == NodeId)
                    {
                        local = ChooseLocal(f, distribution);
                    }
                    else
                    {
                        hop = NextHop(f, destNode);
                    }
                }
                else
                {
                    (local, hop, destNode) = ChooseDestination(f, distribution);
                }

                var sender = hop?.DataSender;
                if (local is null && sender is null)
                {
                    if (await WaitForNewRoutesAsync(f))
                    {
                        continue;
                    }

                    f.Finish(GiveUp(f, transit));
                    return;
                }

                f.Attempts++;
                DeliveryState? state;
                var notSent = false;
                try
                {
                    if (local is not null)
                    {
                        var message = f.FromNode && local.IsExternal ? Rewrite(f, null, strip: true) : f.Message;
                        state = await local.DeliverAsync(message, _stopping.Token) ?? Accepted.Instance;
                    }
                    else
                    {
                        var message = Rewrite(f, destNode!, strip: false);
                        RouterTelemetry.RecordForward(hop!, message.Length);
                        var load = _remoteLoad.GetOrAdd((destNode!, f.Address), static _ => new StrongBox<int>());
                        Interlocked.Increment(ref load.Value);
                        try
                        {
                            state = await sender!.SendAsync(message, f.Presettled) ?? Accepted.Instance;
                        }
                        finally
                        {
                            Interlocked.Decrement(ref load.Value);
                        }
                    }
                }
                catch (AmqpDeliveryNotSentException)
                {
                    notSent = true;
                    state = null;
                }
                catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                {
                    var where = local is not null ? $"its consumer of '{f.Address}'" : $"its link to node '{hop!.PeerId}'";
                    state = Reject(VanErrors.LinkLost, $"Node '{NodeId}' lost {where} while the message to '{f.Address}' was in flight ({e.Message}).");
                }

                if (notSent || state is Released)
                {
                    // Nobody has it. Rule out what failed: the connection when the message never left it (the
                    // destination may be reachable another way), else the destination.
                    f.WasReleased |= state is Released;
                    var viaOtherConnection = notSent && hop is not null;
                    f.Exclude(viaOtherConnection ? hop! : local ?? (object)destNode!);

                    // Only the ingress chooses among destinations; a transit node retries only another connection,
                    // the destination node only another local consumer, and otherwise hands it back upstream.
                    var mayRetryHere = !f.FromNode || viaOtherConnection || destNode == NodeId;
                    if (mayRetryHere && f.Attempts < _options.MaxForwardAttempts)
                    {
                        continue;
                    }

                    if (await WaitForNewRoutesAsync(f))
                    {
                        continue;
                    }

                    f.Finish(f.FromNode ? Released.Instance : GiveUp(f, transit));
                    return;
                }

                if (state is Rejected { Error: { } error } && error.Condition == VanErrors.LinkLost && !f.FromNode && f.Header.Retryable
                    && f.Attempts < _options.MaxForwardAttempts)
                {
                    Log.Retrying(_logger, NodeId, f.Address, error.Description ?? "");
                    f.Exclude(local ?? (object)destNode!);
                    continue;
                }

                f.Finish(state!);
                return;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never leave the sender waiting in silence, whatever went wrong here.
            Log.ForwardFailed(_logger, NodeId, f.Address, e);
            f.Finish(Reject(ErrorCondition.InternalError, $"Node '{NodeId}' failed to route the message to '{f.Address}': {e.Message}"));
        }
    }

    /// <summary>
    /// At the ingress, after destinations that routing knew of failed: waits (within
    /// <see cref="VanRouterOptions.RerouteTimeout"/> of the message's arrival) for this node's next routing snapshot, or
    /// for a short backoff (20 ms doubling to 500 ms) since the inconsistency may be on a node further along whose routes
    /// lag behind ours, then lets the message try again from scratch. Nodes that die or links that drop are routed
    /// around this way instead of failing a message that converged routes can deliver. False when there is nothing to
    /// wait for.
    /// </summary>
    private async Task<bool> WaitForNewRoutesAsync(InFlight f)
    {
        if (f.FromNode || !f.SawRoute)
        {
            return false;
        }

        var remaining = _options.RerouteTimeout - _time.GetElapsedTime(f.Started);
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        var changed = Volatile.Read(ref _snapshotChanged).Task;
        if (_snapshot.Version == f.SnapshotVersion)
        {
            f.RetryDelay = f.RetryDelay == TimeSpan.Zero ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromTicks(Math.Min(f.RetryDelay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
            var delay = f.RetryDelay < remaining ? f.RetryDelay : remaining;
            try
            {
                await Task.WhenAny(changed, Task.Delay(delay, _time, _stopping.Token));
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            if (_stopping.IsCancellationRequested)
            {
                return false;
            }
        }

        f.StartOver(_snapshot.Version);
        return true;
    }

    /// <summary>What to tell upstream when no destination is left.</summary>
    private DeliveryState GiveUp(InFlight f, bool transit)
    {
        if (f.Address.StartsWith(_nodeAddressPrefix, StringComparison.Ordinal) && !HasLocalConsumer(f.Address))
        {
            // A node address is served here or nowhere (a reply address whose client left, say): final, not a
            // routing transient for the ingress to wait out.
            return Reject(VanErrors.NoRoute, $"Nothing consumes '{f.Address}' on node '{NodeId}'.");
        }

        if (f.FromNode)
        {
            // Not this node's call: the ingress re-routes or reports no route.
            return Released.Instance;
        }

        if (f.WasReleased)
        {
            return Released.Instance;
        }

        Log.NoRoute(_logger, NodeId, f.Address);
        return Reject(VanErrors.NoRoute, transit
            ? $"No route from node '{NodeId}' to node '{f.Header.Dest[0]}' for '{f.Address}'."
            : $"No route to '{f.Address}' from node '{NodeId}': nothing reachable serves it.");
    }

    private static Rejected Reject(AmqpSymbol condition, string description) => new() { Error = new Error { Condition = condition, Description = description } };

    private RouterConnection? NextHop(InFlight f, string destNode)
    {
        if (!_snapshot.TryGetRoute(destNode, out var nextHop, out _))
        {
            // Not in the routes yet (they are being recomputed), but a neighbour: it is its own next hop.
            nextHop = destNode;
        }

        if (Array.IndexOf(f.Header.Trace, nextHop) >= 0)
        {
            return null;
        }

        var hop = LiveConnection(nextHop, f);
        f.SawRoute |= hop is not null || nextHop != destNode;
        return hop;
    }

    private Consumer? ChooseLocal(InFlight f, Distribution distribution)
    {
        var consumers = _local.Get(f.Address);
        Consumer? best = null;
        var bestScore = int.MaxValue;
        var start = consumers.Length <= 1 ? 0 : (int)(NextTurn(_localTurns, f.Address) % (uint)consumers.Length);
        for (var k = 0; k < consumers.Length; k++)
        {
            var c = consumers[(start + k) % consumers.Length];
            if (!c.IsAlive || f.IsExcluded(c))
            {
                continue;
            }

            // Closest: the first with credit, taking turns; balanced: the fewest outstanding.
            var score = distribution == Distribution.Balanced ? c.Outstanding : c.HasCredit ? 0 : 1 + c.Outstanding;
            if (score < bestScore)
            {
                best = c;
                bestScore = score;
                if (score == 0 && distribution != Distribution.Balanced)
                {
                    break;
                }
            }
        }

        return best;
    }

    /// <summary>The ingress's choice among local consumers and remote nodes serving the address.</summary>
    private (Consumer? Local, RouterConnection? Hop, string? Node) ChooseDestination(InFlight f, Distribution distribution)
    {
        var local = ChooseLocal(f, distribution);
        if (distribution == Distribution.Closest && local is { HasCredit: true })
        {
            return (local, null, null);
        }

        var remotes = _snapshot.GetDestinations(f.Address);
        f.SawRoute |= remotes.Count > 0 || local is not null;
        RouterConnection? bestHop = null;
        string? bestNode = null;
        var bestScore = long.MaxValue;
        var bestHasCapacity = false;
        var tierCost = -1;
        var tierMatches = 0u;
        var turn = remotes.Count > 1 ? NextTurn(_remoteTurns, f.Address) : 0;
        for (var i = 0; i < remotes.Count; i++)
        {
            var d = remotes[i];
            if (f.IsExcluded(d.NodeId) || Array.IndexOf(f.Header.Trace, d.NextHop) >= 0 || LiveConnection(d.NextHop, f) is not { } hop)
            {
                continue;
            }

            var outstanding = _remoteLoad.TryGetValue((d.NodeId, f.Address), out var box) ? Volatile.Read(ref box.Value) : 0;
            var hasCapacity = outstanding < d.Capacity;
            if (distribution == Distribution.Balanced)
            {
                long score = outstanding + d.Cost;
                if (score < bestScore)
                {
                    (bestHop, bestNode, bestScore) = (hop, d.NodeId, score);
                }

                continue;
            }

            // Closest: destinations come sorted by cost. Take the cheapest tier with capacity, rotating within it; if
            // none has capacity, the cheapest of all (it queues there).
            if (bestHasCapacity && d.Cost > tierCost)
            {
                break;
            }

            if (hasCapacity)
            {
                if (!bestHasCapacity || d.Cost != tierCost)
                {
                    (bestHop, bestNode, bestHasCapacity, tierCost, tierMatches) = (hop, d.NodeId, true, d.Cost, 1);
                }
                else if (turn % ++tierMatches == 0)
                {
                    (bestHop, bestNode) = (hop, d.NodeId);
                }
            }
            else if (bestHop is null)
            {
                (bestHop, bestNode) = (hop, d.NodeId);
            }
        }

        if (distribution == Distribution.Balanced)
        {
            return local is not null && (bestHop is null || local.Outstanding <= bestScore) ? (local, null, null) : (null, bestHop, bestNode);
        }

        // No local consumer with credit: remote capacity first, then a local consumer (it queues), then any remote.
        if (bestHop is not null && bestHasCapacity)
        {
            return (null, bestHop, bestNode);
        }

        return local is not null ? (local, null, null) : (null, bestHop, bestNode);
    }

    private void RouteMulticast(InFlight f)
    {
        var any = false;
        var dests = f.FromNode ? f.Header.Dest : null;
        if (!f.FromNode || Array.IndexOf(f.Header.Dest, NodeId) >= 0)
        {
            foreach (var c in _local.Get(f.Address))
            {
                if (c.IsAlive)
                {
                    any = true;
                    var message = f.FromNode && c.IsExternal ? Rewrite(f, null, strip: true) : f.Message;
                    _ = DeliverCopyAsync(c, message);
                }
            }
        }

        // One copy per next hop, carrying the destinations reached through it: the shortest-path tree, no duplicates.
        Dictionary<string, List<string>>? byHop = null;
        var snapshot = _snapshot;
        IEnumerable<string> targets = dests ?? (IEnumerable<string>)snapshot.GetDestinations(f.Address).Select(d => d.NodeId);
        foreach (var node in targets)
        {
            if (node == NodeId || !snapshot.TryGetRoute(node, out var nextHop, out _) || Array.IndexOf(f.Header.Trace, nextHop) >= 0)
            {
                continue;
            }

            byHop ??= new(StringComparer.Ordinal);
            if (!byHop.TryGetValue(nextHop, out var list))
            {
                byHop[nextHop] = list = [];
            }

            list.Add(node);
        }

        if (byHop is not null)
        {
            foreach (var (nextHop, nodes) in byHop)
            {
                if (LiveConnection(nextHop) is { DataSender: { } sender } hop)
                {
                    any = true;
                    var copy = new RoutingHeader { To = f.Address, Dest = [.. nodes], Trace = [.. f.Header.Trace, NodeId], Multicast = true };
                    var message = Rewrite(f.Message, copy, strip: false);
                    RouterTelemetry.RecordForward(hop, message.Length);
                    _ = SendCopyAsync(sender, message);
                }
            }
        }

        f.Finish(any || f.FromNode ? Accepted.Instance : GiveUp(f, transit: false));
    }

    private static async Task DeliverCopyAsync(Consumer consumer, ReadOnlyMemory<byte> message)
    {
        try
        {
            await consumer.DeliverAsync(message, CancellationToken.None);
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // At most once: a multicast copy lost with its consumer is not retried.
        }
    }

    private static async Task SendCopyAsync(SenderLink sender, ReadOnlyMemory<byte> message)
    {
        try
        {
            await sender.SendAsync(message, settled: true);
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // At most once.
        }
    }

    private ReadOnlyMemory<byte> Rewrite(InFlight f, string? destNode, bool strip)
    {
        var header = strip ? f.Header : new RoutingHeader { To = f.Address, Dest = [destNode!], Trace = [.. f.Header.Trace, NodeId] };
        return Rewrite(f.Message, header, strip);
    }

    private static byte[] Rewrite(ReadOnlyMemory<byte> message, RoutingHeader header, bool strip)
    {
        using var buffer = new AmqpBuffer(message.Length + 256);
        header.Write(buffer, message.Span, strip);
        return buffer.ToArray();
    }
}
