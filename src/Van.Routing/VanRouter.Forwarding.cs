using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Routing;

public sealed partial class VanRouter
{
    private readonly ConcurrentDictionary<(string Node, string Address), StrongBox<int>> _remoteLoad = new();
    // Turns per address, so equal choices alternate for each address whatever else the node routes.
    private readonly ConcurrentDictionary<string, StrongBox<uint>> _localTurns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<uint>> _remoteTurns = new(StringComparer.Ordinal);

    // What repeats per message is reused: the records of messages being routed (with their buffers), and the strings
    // of routing annotations (addresses, node ids).
    private readonly ObjectStack<InFlight> _spareInFlight = new(1024);
    private readonly StringTable _strings = new();

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

    /// <summary>A record for a message to route: from the pool when one is free.</summary>
    internal InFlight RentInFlight() => _spareInFlight.Rent() ?? new InFlight(this);

    /// <summary>Puts a record back in the pool once its message is finished: nothing may touch it afterwards.</summary>
    private void Recycle(InFlight f)
    {
        f.Reset();
        if (!_spareInFlight.Return(f))
        {
            f.Dispose();
        }
    }

    /// <summary>Sends the outcome upstream and recycles the record (once: a second finish is ignored).</summary>
    private void FinishAndRecycle(InFlight f, DeliveryState state)
    {
        if (f.Finish(state))
        {
            Recycle(f);
        }
    }

    /// <summary>A message from a client's sender link: this node is its ingress.</summary>
    internal void OnClientDelivery(ProducerLink producer, AmqpDelivery delivery)
    {
        var f = RentInFlight();
        f.StartFromLink(producer.Link, delivery, producer, fromNode: false);
        RouteIngress(f, producer.TargetAddress, multicast: false, clientRelay: producer.TargetAddress is null);
    }

    private void RouteFromLocal(ReadOnlyMemory<byte> message, bool multicast, TaskCompletionSource<DeliveryState> completion)
    {
        var f = RentInFlight();
        f.StartLocal(message, completion, onOutcome: null);
        RouteIngress(f, null, multicast);
    }

    /// <summary>A message from this process whose outcome goes to <paramref name="complete"/> (<see cref="Send"/>).</summary>
    /// <param name="message">The message.</param>
    /// <param name="linkAddress">Its address when no 'to' is in it.</param>
    /// <param name="presettled">Send it pre-settled (<see cref="SendPresettled"/>): the outcome is this node's.</param>
    /// <param name="complete">Takes the outcome.</param>
    /// <param name="multicast">Deliver to every consumer (a publish): then the message is only lent for the call.</param>
    private void RouteIngress(ReadOnlyMemory<byte> message, string? linkAddress, bool presettled, Action<DeliveryState> complete, bool multicast = false)
    {
        var f = RentInFlight();
        f.StartLocal(message, completion: null, complete, lent: multicast, presettled: presettled);
        RouteIngress(f, linkAddress, multicast);
    }

    /// <param name="f">The message.</param>
    /// <param name="linkAddress">The target address of the link it came on, if any (it wins over the message's 'to').</param>
    /// <param name="multicast">Deliver to every consumer (a publish).</param>
    /// <param name="clientRelay">It came on a client's anonymous-relay link: its 'to' is checked as the link's target would have been.</param>
    private void RouteIngress(InFlight f, string? linkAddress, bool multicast, bool clientRelay = false)
    {
        var header = f.Header;
        var address = linkAddress;
        try
        {
            var message = f.ReadRoutingHeader(f.Message.Span, _strings);
            if (address is null && message.TryGetTo(out var to))
            {
                address = _strings.Get(to, lenient: true);
            }
        }
        catch (AmqpDecodeException e)
        {
            FinishAndRecycle(f, Reject(ErrorCondition.DecodeError, $"Node '{NodeId}' cannot read the message: {e.Message}"));
            return;
        }

        if (string.IsNullOrEmpty(address))
        {
            FinishAndRecycle(f, Reject(VanErrors.NoAddress, "The message has no address: the link has no target address and the message no 'to'."));
            return;
        }

        if (clientRelay && ClientSendRefusal(address) is { } refusal)
        {
            Log.ClientRefused(_logger, NodeId, "(anonymous relay)", address, refusal.Condition.Value);
            FinishAndRecycle(f, new Rejected { Error = refusal });
            return;
        }

        // Whatever a client put in the routing annotations is not trusted: the ingress decides the route.
        header.To = address;
        header.Dest.Clear();
        header.Trace.Clear();
        header.Multicast = false;
        f.Address = address;
        if (multicast)
        {
            RouteMulticast(f);
        }
        else
        {
            Route(f);
        }
    }

    /// <summary>
    /// A message forwarded by a neighbour on its data link (on that connection's reader loop; the payload is lent until
    /// this returns). A transit forward that finds credit goes out before this returns, and its outcome is handled on the
    /// next connection's reader loop when it comes back: no task, closure or buffer is allocated for it.
    /// </summary>
    internal void OnNodeDelivery(RouterConnection rc, AmqpDelivery delivery)
    {
        var link = delivery.Link;
        RouterTelemetry.RecordTransfer(rc.ReceivedTags, delivery.Payload.Length);
        var f = RentInFlight();
        var header = f.Header;
        try
        {
            // The layout holds for the copy StartFromLink makes: the same bytes.
            f.ReadRoutingHeader(delivery.Payload.Span, _strings);
        }
        catch (AmqpDecodeException e)
        {
            Recycle(f);
            link.Reject(delivery, new Error { Condition = ErrorCondition.DecodeError, Description = $"Node '{NodeId}' cannot read the message: {e.Message}" });
            return;
        }

        if (header.To is not { } address)
        {
            Recycle(f);
            link.Reject(delivery, new Error { Condition = VanErrors.NoAddress, Description = $"A message from node '{rc.PeerId}' has no '{RoutingAnnotationKeys.To}' annotation." });
            return;
        }

        if (header.Trace.Contains(NodeId))
        {
            // A stale route sent it back here: give it back rather than let it circle.
            Log.LoopDetected(_logger, NodeId, address);
            Recycle(f);
            link.Release(delivery);
            return;
        }

        // Traced only when someone listens, so an untraced message costs nothing more.
        if (RouterTelemetry.Source.HasListeners())
        {
            f.Activity = RouterTelemetry.StartForward(delivery.Payload.Span, NodeId, address, header.Dest.Count == 1 ? header.Dest[0] : null);
        }

        f.StartFromLink(link, delivery, producer: null, fromNode: true);
        f.Address = address;
        Route(f);
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
            var node = end < 0 ? address.AsSpan(NodeAddressPrefix.Length) : address.AsSpan(NodeAddressPrefix.Length, end - NodeAddressPrefix.Length);
            if (f.Header.Dest.Count != 1)
            {
                f.Header.Dest.Set(_strings.Get(node));
            }

            // A node address names a node that has sent us something (a reply address, say): if it is not routable
            // yet, routes are still converging, so the ingress waits for them rather than failing at once.
            f.SawRoute = !node.SequenceEqual(NodeId);

            RouteUnicast(f, Distribution.Closest);
            return;
        }

        var distribution = DistributionOf(address);
        if (distribution == Distribution.Multicast)
        {
            RouteMulticast(f);
        }
        else
        {
            RouteUnicast(f, distribution);
        }
    }

    internal Distribution DistributionOf(string address)
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

    private void RouteUnicast(InFlight f, Distribution distribution)
    {
        f.Distribution = distribution;
        f.Started = _time.GetTimestamp();
        f.SnapshotVersion = _snapshot.Version;
        ContinueUnicast(f);
    }

    /// <summary>
    /// Makes attempts until one is under way (its outcome continues the message), the message has its outcome, or it
    /// has to wait (for credit, a consumer, or new routes: then an async method takes over). A forward that finds
    /// credit and window is sent synchronously, its outcome coming back through <see cref="OnForwardOutcome"/>.
    /// </summary>
    private void ContinueUnicast(InFlight f)
    {
        try
        {
            while (TryAttempt(f))
            {
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(f, e);
        }
    }

    /// <summary>Never leaves the sender waiting in silence, whatever went wrong here.</summary>
    private void Fail(InFlight f, Exception e)
    {
        Log.ForwardFailed(_logger, NodeId, f.Address, e);
        FinishAndRecycle(f, Reject(ErrorCondition.InternalError, $"Node '{NodeId}' failed to route the message to '{f.Address}': {e.Message}"));
    }

    /// <summary>
    /// One attempt. True to make another at once; false once this one is under way (it will continue the message), the
    /// message is finished, or something async took it over.
    /// </summary>
    private bool TryAttempt(InFlight f)
    {
        // The destination node is fixed once chosen (by the ingress, or by a node address); this node then either is it
        // or forwards toward it. Only the ingress chooses among nodes.
        var transit = f.Header.Dest.Count == 1;
        Consumer? local = null;
        RouterConnection? hop = null;
        string? destNode = null;
        if (transit)
        {
            destNode = f.Header.Dest[0];
            if (destNode == NodeId)
            {
                local = ChooseLocal(f, f.Distribution);
            }
            else
            {
                hop = NextHop(f, destNode);
            }
        }
        else
        {
            (local, hop, destNode) = ChooseDestination(f, f.Distribution);
        }

        var sender = hop?.DataSender;
        if (local is null && sender is null)
        {
            if (CanWaitForNewRoutes(f))
            {
                _ = WaitForNewRoutesThenContinueAsync(f, transit);
                return false;
            }

            FinishAndRecycle(f, GiveUp(f, transit));
            return false;
        }

        if (local is not null && f.FromNode && !Policy.ExportsAll && ExportRefusal(f) is { } refused)
        {
            // Another node sent it here for a local consumer: only if this node exports the address to its ingress.
            FinishAndRecycle(f, refused);
            return false;
        }

        f.Attempts++;
        if (local is not null)
        {
            var localToken = f.BeginLocal(local, destNode);
            if (local is LinkConsumer client)
            {
                return TrySendToClient(f, client, localToken);
            }

            _ = DeliverLocalAsync(f, local);
            return false;
        }

        DeliveryState? state;
        var notSent = false;
        try
        {
            var message = RewriteForward(f, destNode!);
            RouterTelemetry.RecordForward(hop!, message.Length);
            var load = _remoteLoad.GetOrAdd((destNode!, f.Address), static _ => new StrongBox<int>());
            var presettled = f.Presettled;
            var token = f.BeginRemote(hop!, destNode!, load);
            Interlocked.Increment(ref load.Value);
            bool sent;
            try
            {
                sent = sender!.TrySend(message.Span, presettled, f, token);
            }
            catch
            {
                Interlocked.Decrement(ref load.Value);
                throw;
            }

            if (!sent)
            {
                // No credit or window now (or other sends wait): wait in line for it.
                _ = SendWhenPossibleAsync(f, sender, message);
                return false;
            }

            if (!presettled)
            {
                // Under way: the outcome continues the message, on the next hop's reader loop, possibly already.
                return false;
            }

            Interlocked.Decrement(ref load.Value);
            state = Accepted.Instance;
        }
        catch (AmqpDeliveryNotSentException)
        {
            notSent = true;
            state = null;
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            state = LinkLost(f, local: null, hop, e);
        }

        return AfterAttempt(f, state, notSent);
    }

    /// <summary>
    /// A consumer that is a client's link takes the message now if it has credit, as a forward does: the outcome comes
    /// back through <see cref="OnForwardOutcome"/>. Otherwise the delivery waits for credit in line. Same result as
    /// <see cref="AfterAttempt"/>.
    /// </summary>
    private bool TrySendToClient(InFlight f, LinkConsumer client, int token)
    {
        DeliveryState? state;
        var notSent = false;
        try
        {
            // A client gets it without routing annotations.
            var message = f.FromNode ? RewriteStripped(f) : f.Message;
            var settled = client.Link.LocalAttach?.SndSettleMode == SenderSettleMode.Settled;
            client.BeginDelivery();
            bool sent;
            try
            {
                sent = client.Link.TrySend(message.Span, settled, f, token);
            }
            catch
            {
                client.EndDelivery();
                throw;
            }

            if (!sent)
            {
                client.EndDelivery();
                _ = DeliverLocalAsync(f, client);
                return false;
            }

            if (!settled)
            {
                // Under way: the client's outcome continues the message, possibly already.
                return false;
            }

            client.EndDelivery();
            state = Accepted.Instance;
        }
        catch (AmqpDeliveryNotSentException)
        {
            notSent = true;
            state = null;
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            state = LinkLost(f, client, hop: null, e);
        }

        return AfterAttempt(f, state, notSent);
    }

    /// <summary>
    /// The outcome of a delivery sent with <see cref="SenderLink.TrySend"/>, forwarded to a neighbour or sent to a
    /// client's link (on that connection's reader loop).
    /// </summary>
    internal void OnForwardOutcome(InFlight f, DeliveryState? state, AmqpException? failure)
    {
        try
        {
            if (f.Local is { } local)
            {
                local.EndDelivery();
            }
            else
            {
                Interlocked.Decrement(ref f.Load!.Value);
            }

            var outcome = failure is null ? state ?? Accepted.Instance : LinkLost(f, f.Local, f.Hop, failure);
            if (AfterAttempt(f, outcome, notSent: false))
            {
                ContinueUnicast(f);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(f, e);
        }
    }

    private async Task SendWhenPossibleAsync(InFlight f, SenderLink sender, ReadOnlyMemory<byte> message)
    {
        try
        {
            DeliveryState? state;
            var notSent = false;
            try
            {
                try
                {
                    state = await sender.SendAsync(message, f.Presettled) ?? Accepted.Instance;
                }
                finally
                {
                    Interlocked.Decrement(ref f.Load!.Value);
                }
            }
            catch (AmqpDeliveryNotSentException)
            {
                notSent = true;
                state = null;
            }
            catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                state = LinkLost(f, local: null, f.Hop, e);
            }

            if (AfterAttempt(f, state, notSent))
            {
                ContinueUnicast(f);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(f, e);
        }
    }

    private async Task DeliverLocalAsync(InFlight f, Consumer local)
    {
        try
        {
            DeliveryState? state;
            var notSent = false;
            try
            {
                // A client gets it without routing annotations. An in-process service reads the bytes only until its
                // task completes (LocalServiceHandler's contract), and this record outlives that: it keeps its copy.
                var message = local.IsExternal && f.FromNode ? RewriteStripped(f) : f.Message;
                state = await local.DeliverAsync(message, _stopping.Token) ?? Accepted.Instance;
            }
            catch (AmqpDeliveryNotSentException)
            {
                notSent = true;
                state = null;
            }
            catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                state = LinkLost(f, local, hop: null, e);
            }

            if (AfterAttempt(f, state, notSent))
            {
                ContinueUnicast(f);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(f, e);
        }
    }

    private Rejected LinkLost(InFlight f, Consumer? local, RouterConnection? hop, Exception e)
    {
        var where = local is not null ? $"its consumer of '{f.Address}'" : $"its link to node '{hop!.PeerId}'";
        return Reject(VanErrors.LinkLost, $"Node '{NodeId}' lost {where} while the message to '{f.Address}' was in flight ({e.Message}).");
    }

    /// <summary>
    /// What follows an attempt's outcome (null when <paramref name="notSent"/>). True to make another attempt at once;
    /// false when the message is finished or waits for new routes.
    /// </summary>
    private bool AfterAttempt(InFlight f, DeliveryState? state, bool notSent)
    {
        var transit = f.Header.Dest.Count == 1;
        var local = f.Local;
        var hop = f.Hop;
        var destNode = f.DestNode;
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
                return true;
            }

            if (CanWaitForNewRoutes(f))
            {
                _ = WaitForNewRoutesThenContinueAsync(f, transit);
                return false;
            }

            FinishAndRecycle(f, f.FromNode ? Released.Instance : GiveUp(f, transit));
            return false;
        }

        if (state is Rejected { Error: { } error } && error.Condition == VanErrors.LinkLost && !f.FromNode && f.Header.Retryable
            && f.Attempts < _options.MaxForwardAttempts)
        {
            Log.Retrying(_logger, NodeId, f.Address, error.Description ?? "");
            f.Exclude(local ?? (object)destNode!);
            return true;
        }

        FinishAndRecycle(f, state!);
        return false;
    }

    /// <summary>Whether <see cref="WaitForNewRoutesAsync"/> has something to wait for (only the ingress waits).</summary>
    private bool CanWaitForNewRoutes(InFlight f) =>
        !f.FromNode && f.SawRoute && _options.RerouteTimeout - _time.GetElapsedTime(f.Started) > TimeSpan.Zero;

    private async Task WaitForNewRoutesThenContinueAsync(InFlight f, bool transit)
    {
        try
        {
            if (await WaitForNewRoutesAsync(f))
            {
                ContinueUnicast(f);
            }
            else
            {
                FinishAndRecycle(f, GiveUp(f, transit));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(f, e);
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

    internal RouterConnection? NextHop(InFlight f, string destNode)
    {
        if (!_snapshot.TryGetRoute(destNode, out var nextHop, out _))
        {
            // Not in the routes yet (they are being recomputed), but a neighbour: it is its own next hop.
            nextHop = destNode;
        }

        if (f.Header.Trace.Contains(nextHop))
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
    internal (Consumer? Local, RouterConnection? Hop, string? Node) ChooseDestination(InFlight f, Distribution distribution)
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
            if (f.IsExcluded(d.NodeId) || f.Header.Trace.Contains(d.NextHop) || LiveConnection(d.NextHop, f) is not { } hop)
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
        if (!f.FromNode || (f.Header.Dest.Contains(NodeId) && (Policy.ExportsAll || ExportRefusal(f) is null)))
        {
            foreach (var c in _local.Get(f.Address))
            {
                if (c.IsAlive)
                {
                    any = true;
                    if (f.FromNode && c.IsExternal)
                    {
                        _ = DeliverCopyAsync(c, StrippedCopy(f.Message));
                    }
                    else
                    {
                        f.KeepMessage();
                        DeliverInPlace(f, c);
                    }
                }
            }
        }

        // One copy per next hop, carrying the destinations reached through it: the shortest-path tree, no duplicates.
        var byHop = MulticastHops.Rent();
        try
        {
            var snapshot = _snapshot;
            if (f.FromNode)
            {
                foreach (var node in f.Header.Dest.AsSpan())
                {
                    AddTarget(byHop, snapshot, f, node);
                }
            }
            else
            {
                var destinations = snapshot.GetDestinations(f.Address);
                for (var i = 0; i < destinations.Count; i++)
                {
                    AddTarget(byHop, snapshot, f, destinations[i].NodeId);
                }
            }

            for (var i = 0; i < byHop.Count; i++)
            {
                if (LiveConnection(byHop.HopAt(i)) is { DataSender: { } sender } hop)
                {
                    any = true;
                    var buffer = f.RewriteBuffer();
                    RoutingHeader.Write(buffer, f.Reader, f.Address, byHop.NodesAt(i), f.Header.Trace.AsSpan(), NodeId, multicast: true, strip: false);
                    RouterTelemetry.RecordForward(hop, buffer.Length);
                    hop.CopiesFor(sender).Send(buffer.WrittenSpan);
                }
            }
        }
        finally
        {
            MulticastHops.Return(byHop);
        }

        FinishAndRecycle(f, any || f.FromNode ? Accepted.Instance : GiveUp(f, transit: false));
    }

    private void AddTarget(MulticastHops byHop, RoutingSnapshot snapshot, InFlight f, string node)
    {
        if (node == NodeId || !snapshot.TryGetRoute(node, out var nextHop, out _) || f.Header.Trace.Contains(nextHop))
        {
            return;
        }

        byHop.Add(nextHop, node);
    }

    /// <summary>
    /// Hands a multicast copy to a consumer in the record's own bytes. An in-process consumer that is done with them
    /// before it returns (a subscription, which copies what it keeps) costs no copy; one still using them when the
    /// record finishes gets them for good (given away, not reused).
    /// </summary>
    private static void DeliverInPlace(InFlight f, Consumer consumer)
    {
        if (consumer is LocalServiceConsumer service)
        {
            if (!service.DeliverDetached(f.Message))
            {
                f.GiveAwayMessage();
            }

            return;
        }

        var delivering = consumer.DeliverAsync(f.Message, CancellationToken.None);
        if (!delivering.IsCompleted)
        {
            f.GiveAwayMessage();
            _ = AwaitCopyAsync(delivering);
            return;
        }

        try
        {
            delivering.GetAwaiter().GetResult(); // a pooled source: read once
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // At most once: as for a copy delivered in the background, whatever became of it is not the sender's.
        }
    }

    private static async Task AwaitCopyAsync(ValueTask<DeliveryState?> delivering)
    {
        try
        {
            await delivering;
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // At most once: a multicast copy lost with its consumer is not retried.
        }
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

    /// <summary>The message as it goes to <paramref name="destNode"/>'s next hop: this node added to its trace.</summary>
    private ReadOnlyMemory<byte> RewriteForward(InFlight f, string destNode)
    {
        var buffer = f.RewriteBuffer();
        RoutingHeader.Write(buffer, f.Reader, f.Address, new ReadOnlySpan<string>(in destNode), f.Header.Trace.AsSpan(), NodeId, multicast: false, strip: false);
        return buffer.WrittenMemory;
    }

    /// <summary>The message as a client gets it: without routing annotations (valid until the record's next rewrite).</summary>
    private static ReadOnlyMemory<byte> RewriteStripped(InFlight f)
    {
        var buffer = f.RewriteBuffer();
        RoutingHeader.Write(buffer, f.Reader, null, default, default, null, multicast: false, strip: true);
        return buffer.WrittenMemory;
    }

    /// <summary>A copy of its own without routing annotations, for a multicast consumer.</summary>
    private static byte[] StrippedCopy(ReadOnlyMemory<byte> message)
    {
        using var buffer = new AmqpBuffer(message.Length + 256);
        RoutingHeader.Write(buffer, message.Span, null, default, default, null, multicast: false, strip: true);
        return buffer.ToArray();
    }
}
