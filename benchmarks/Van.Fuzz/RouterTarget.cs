using System.Net;
using System.Text;
using System.Text.Json;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Fuzz;

/// <summary>
/// A real <see cref="VanRouter"/> on 127.0.0.1:0 (plain TCP, small limits) with an echo service at <c>fuzz-health</c>
/// and a scanning sink at <c>fuzz-sink</c>. Live cases are client cases (as against the engine listener, with
/// messages that also carry routing annotations) or inter-node cases: a fake neighbour with a fresh id per case opens
/// claiming the inter-node role, attaches <c>_van/control</c> and <c>_van/data</c> as a node does, answers the
/// router's own links, then sends mutated control messages (hello, link-state, address, requests) and data-link
/// transfers with hostile routing headers. After the live phase the router must still answer a fresh client at the
/// echo and at <c>_van/status</c>, hold no fake neighbour as reachable or connected, and have logged no error.
/// </summary>
internal sealed class RouterTarget : ILiveNode
{
    public const string RouterId = "fuzz-router";
    public const string FakePrefix = "fuzz-n";

    private static readonly Lock RoutingMessagesLock = new();
    private static List<CorpusEntry>? _clientMessages;

    private readonly VanRouter _router;
    private readonly List<IDisposable> _services = [];
    private int _sinkAccepted;
    private int _sinkDecodeErrors;

    private RouterTarget(VanRouter router) => _router = router;

    public string Name => $"VanRouter '{RouterId}'";

    public CapturingLoggerFactory Logs { get; private init; } = new();

    public int Port => _router.ListenEndpoints[0].Port;

    public IEnumerable<string> AcceptFailures => [];

    public string Summary => $"router: {Volatile.Read(ref _sinkAccepted):N0} messages reached fuzz-sink, {Volatile.Read(ref _sinkDecodeErrors):N0} of them undecodable there; " +
        $"{_router.Snapshot.Nodes.Count} nodes in its database ({_router.Snapshot.ReachableNodes.Count} reachable), {_router.ConnectedNeighbourCount} neighbours connected";

    public static async Task<ILiveNode> StartAsync()
    {
        var logs = new CapturingLoggerFactory();
        var options = new VanRouterOptions { NodeId = RouterId, Site = "fuzz", LoggerFactory = logs, RecomputeInterval = TimeSpan.FromMilliseconds(5) };
        options.Listeners.Add(new VanEndpoint { Host = "127.0.0.1", Port = 0 });
        options.Limits.MaxMessageSize = 1024 * 1024;
        options.Limits.MaxSessionsPerConnection = 8;
        options.Limits.MaxLinksPerConnection = 16;
        options.Limits.MaxAddressesPerPeer = 1000;
        options.Limits.HandshakeTimeout = TimeSpan.FromSeconds(4);
        var router = new VanRouter(options);
        await router.StartAsync();
        var target = new RouterTarget(router) { Logs = logs };
        target._services.Add(EchoService.Add(router, "fuzz-health", TimeSpan.Zero, 64, TimeProvider.System));
        target._services.Add(router.AddLocalService("fuzz-sink", (message, cancellationToken) =>
        {
            try
            {
                _ = AmqpMessage.Decode(message.Span);
                Interlocked.Increment(ref target._sinkAccepted);
            }
            catch (AmqpDecodeException)
            {
                Interlocked.Increment(ref target._sinkDecodeErrors);
            }

            return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
        }, 256));
        return target;
    }

    public Task<LiveTarget.Observation> RunAsync(LiveScript script) => LiveTarget.RunAsync(Port, script);

    public Task<string?> HealthCheckAsync(string tag) => LiveTarget.HealthCheckAsync(Port, tag);

    /// <summary>Connections the router holds, polled until none is left or the limit passes.</summary>
    public async Task<int> ConnectionsLeftAsync(TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            // Every connection counts, inter-node ones still in link set-up included: a session begun while the
            // connection shut down used to stay pending (fixed in the engine: IsClosed is true from the start of the
            // shutdown), holding the connection and its listener slot until the 30 s set-up bound.
            var connections = _router.BuildStatus().Connections;
            if (connections.Count == 0 || DateTime.UtcNow > until)
            {
                return connections.Count;
            }

            await Task.Delay(50);
        }
    }

    public async Task<List<string>> ExtraChecksAsync()
    {
        var failures = new List<string>();

        // No fake neighbour may stay connected or reachable once its connection has closed (bounded wait: the close
        // reaches the control loop, which recomputes within RecomputeInterval).
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string[] reachable, neighbours;
        while (true)
        {
            var snapshot = _router.Snapshot;
            reachable = [.. snapshot.ReachableNodes.Where(n => n != RouterId)];
            neighbours = [.. _router.BuildStatus().Connections.Where(c => c.Kind == "inter-node" && c.Peer is { } p && _router.ConnectionsTo(p) > 0).Select(c => c.Peer ?? "?")];
            if ((reachable.Length == 0 && neighbours.Length == 0 && _router.ConnectedNeighbourCount == 0) || DateTime.UtcNow > until)
            {
                break;
            }

            await Task.Delay(50);
        }

        if (reachable.Length > 0)
        {
            failures.Add($"10 s after the last fake neighbour left the router still routes to {reachable.Length} nodes: {string.Join(", ", reachable.Take(10))}");
        }

        if (neighbours.Length > 0 || _router.ConnectedNeighbourCount > 0)
        {
            failures.Add($"10 s after the last fake neighbour left the router still holds {_router.ConnectedNeighbourCount} neighbours: {string.Join(", ", neighbours.Take(10))}");
        }

        // _van/status answers a fresh client, and reports what the snapshot says.
        string? problem = null;
        var json = await LiveTarget.RequestAsync(Port, VanRouter.StatusAddress, "status", m => m.Value as string, p => problem = p);
        if (json is null)
        {
            failures.Add($"_van/status did not answer a fresh client after the live cases: {problem}");
        }
        else
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                var root = doc.RootElement;
                var node = root.GetProperty("node").GetString();
                var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
                var stale = nodes.Count(n => n.GetProperty("id").GetString()?.StartsWith(FakePrefix, StringComparison.Ordinal) == true);
                var staleReachable = nodes.Count(n => n.GetProperty("id").GetString() != RouterId && n.GetProperty("reachable").GetBoolean());
                var fuzzAddresses = root.GetProperty("addresses").EnumerateArray().Count(a => a.GetProperty("nodes").EnumerateArray().Any(x => x.GetString() != RouterId));
                Console.WriteLine($"status: node {node}, {nodes.Count} nodes listed ({stale} fake ones, unreachable, kept until the protocol purges them " +
                    $"60 s after they became unreachable), {staleReachable} other nodes reachable, {fuzzAddresses} addresses served by other nodes");
                if (node != RouterId)
                {
                    failures.Add($"_van/status answered for node '{node}'");
                }

                if (staleReachable > 0 || fuzzAddresses > 0)
                {
                    failures.Add($"_van/status reports {staleReachable} other reachable nodes and {fuzzAddresses} remote addresses after every neighbour left");
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                failures.Add($"_van/status answered something that is not a status report: {e.Message}: {json[..Math.Min(json.Length, 200)]}");
            }
        }

        return failures;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            service.Dispose();
        }

        await _router.DisposeAsync();
    }

    // ---- Scripts -------------------------------------------------------------------------------------------------

    /// <summary>Case <paramref name="index"/>'s script: about 40 % client cases, 60 % fake-neighbour cases.</summary>
    public static LiveScript MakeScript(long index, Random rng, Mutator mutator, IReadOnlyList<CorpusEntry> frames, IReadOnlyList<CorpusEntry> messages, StringBuilder log)
    {
        if (rng.Next(10) < 4)
        {
            return LiveTarget.MakeScript(rng, mutator, frames, ClientMessages(messages), log);
        }

        var fakeId = FakePrefix + index;
        var sasl = rng.Next(2) == 0;
        var headers = LiveTarget.Preamble(sasl);
        var open = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Open
        {
            ContainerId = fakeId,
            MaxFrameSize = 65536,
            ChannelMax = 7,
            Properties = new()
            {
                [new AmqpSymbol(RouterConnection.RoleKey)] = RouterConnection.InterNodeRole,
                [new AmqpSymbol(RouterConnection.IdKey)] = fakeId,
                [new AmqpSymbol(RouterConnection.SiteKey)] = rng.Next(4) == 0 ? "fuzz" : "fuzz-site-" + rng.Next(3),
                [new AmqpSymbol(RouterConnection.CostKey)] = rng.Next(4) switch { 0 => 1, 1 => 10, 2 => int.MaxValue, _ => -5 },
            },
        }, default);
        var begin = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Begin { NextOutgoingId = 0, IncomingWindow = 2048, OutgoingWindow = 2048 }, default);
        var attachControl = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Attach
        {
            Name = $"van-control:{fakeId}",
            Handle = 0,
            Role = LinkRole.Sender,
            SndSettleMode = SenderSettleMode.Settled,
            Source = new Source { Address = $"van-control:{fakeId}" },
            Target = new Target { Address = RouterConnection.ControlAddress },
            InitialDeliveryCount = 0,
        }, default);
        var attachData = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Attach
        {
            Name = $"van-data:{fakeId}",
            Handle = 1,
            Role = LinkRole.Sender,
            SndSettleMode = SenderSettleMode.Mixed,
            Source = new Source { Address = $"van-data:{fakeId}" },
            Target = new Target { Address = RouterConnection.DataAddress },
            InitialDeliveryCount = 0,
        }, default);
        byte[] links = [.. attachControl, .. attachData];

        var stage = rng.Next(20);
        switch (stage)
        {
            case 0 or 1:
                {
                    // The neighbour's whole preamble, mutated as raw bytes.
                    var preamble = new CorpusEntry("node:preamble", InputKind.Value, [.. headers, .. open, .. begin, .. links]);
                    log.Append("stage=node-preamble ");
                    return new("node-preamble", [], false, mutator.Mutate(rng, preamble, log));
                }

            case 2 or 3 or 4:
                {
                    // The neighbour's open, mutated (van-role, van-id, van-site, van-cost are in its properties).
                    log.Append("stage=node-open ");
                    var mutated = mutator.Mutate(rng, new CorpusEntry("frame:open-inter-node", InputKind.Frame, open), log);
                    return new("node-open", [.. headers], false, [.. mutated, .. begin, .. links]);
                }

            case 5 or 6 or 7:
                {
                    // A mutated control or data attach, and the other one valid.
                    var control = rng.Next(2) == 0;
                    log.Append("stage=node-attach ").Append(control ? "control " : "data ");
                    var mutated = mutator.Mutate(rng, new CorpusEntry("frame:attach-" + (control ? "control" : "data"), InputKind.Frame, control ? attachControl : attachData), log);
                    return new("node-attach", [.. headers, .. open, .. begin], false, control ? [.. mutated, .. attachData] : [.. attachControl, .. mutated]);
                }

            default:
                {
                    // A neighbour with both links up and both of the router's links answered: then mutated control
                    // messages (handle 0, pre-settled) or data transfers with routing headers (handle 1, unsettled).
                    var dataStage = stage >= 15;
                    log.Append(dataStage ? "stage=node-data " : "stage=node-control ");
                    var mutated = new List<byte>();
                    var count = 1 + rng.Next(dataStage ? 3 : 4);
                    for (var i = 0; i < count; i++)
                    {
                        if (rng.Next(10) == 0)
                        {
                            // Now and then a whole mutated frame on the live session instead.
                            var frame = frames[rng.Next(frames.Count)];
                            log.Append(frame.Name).Append(' ');
                            mutated.AddRange(mutator.Mutate(rng, frame, log));
                            continue;
                        }

                        var (name, message) = dataStage ? DataMessage(rng, fakeId) : ControlMessageFor(rng, fakeId);
                        log.Append(name).Append(' ');
                        var payload = rng.Next(3) == 0 ? message : mutator.Mutate(rng, new CorpusEntry(name, InputKind.Message, message), log);
                        var more = dataStage && rng.Next(8) == 0;
                        var transfer = new Transfer
                        {
                            Handle = dataStage ? 1u : 0u,
                            DeliveryId = (uint)i,
                            DeliveryTag = DeliveryTag.FromUInt64((ulong)i),
                            MessageFormat = 0,
                            Settled = dataStage ? rng.Next(4) == 0 : rng.Next(8) != 0,
                            More = more,
                        };
                        mutated.AddRange(Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, transfer, payload));
                        if (more)
                        {
                            mutated.AddRange(Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Transfer { Handle = 1 }, payload));
                        }
                    }

                    return new(dataStage ? "node-data" : "node-control", [.. headers, .. open, .. begin, .. links], true, [.. mutated], fakeId, 2);
                }
        }
    }

    private static readonly long[] Longs = [0, 1, 2, -1, long.MaxValue, long.MinValue, int.MaxValue, 1L << 40];

    private static long AnyLong(Random rng) => rng.Next(3) == 0 ? rng.Next(1, 100) : Longs[rng.Next(Longs.Length)];

    /// <summary>A node id as a hostile neighbour might name one: itself, the router, a ghost, another fake, junk.</summary>
    private static string AnyNode(Random rng, string fakeId) => rng.Next(8) switch
    {
        0 or 1 or 2 => fakeId,
        3 => RouterId,
        4 => "fuzz-ghost-" + rng.Next(4),
        5 => FakePrefix + rng.Next(100),
        6 => new string('n', 1 + rng.Next(3000)),
        _ => "\u00e9\u0000\ud83d\ude00" + rng.Next(10),
    };

    private static string AnyAddress(Random rng, string fakeId) => rng.Next(12) switch
    {
        0 => "fuzz-health",
        1 => "fuzz-sink",
        2 => VanRouter.StatusAddress,
        3 => $"{VanRouter.NodeAddressPrefix}{RouterId}/r/1",
        4 => $"{VanRouter.NodeAddressPrefix}{fakeId}/r/1",
        5 => "_van/control",
        6 => "fuzz-remote-" + rng.Next(5),
        7 => new string('a', 1 + rng.Next(5000)),
        8 => "*",
        9 => "_van/node/",
        _ => "fuzz-remote",
    };

    private static Dictionary<string, int> Map(Random rng, Func<string> key, Func<int> value)
    {
        var n = rng.Next(10) switch { 0 => 0, 1 => 1200, 2 => 4, _ => 1 + rng.Next(3) };
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            map[n > 100 ? $"bulk-{i}" : key()] = value();
        }

        return map;
    }

    /// <summary>A valid control message (the codecs refuse nothing it holds) with hostile contents.</summary>
    private static (string Name, byte[] Bytes) ControlMessageFor(Random rng, string fakeId)
    {
        int Cost() => rng.Next(4) switch { 0 => 1, 1 => int.MaxValue, 2 => 1 + rng.Next(1000), _ => 10 };
        switch (rng.Next(6))
        {
            case 0:
                return ("control:hello", new HelloMessage(rng.Next(4) == 0 ? AnyNode(rng, fakeId) : fakeId, AnyLong(rng), AnyLong(rng), AnyLong(rng)).ToArray());
            case 1:
            case 2:
                {
                    var neighbours = Map(rng, () => rng.Next(3) == 0 ? AnyNode(rng, fakeId) : RouterId, Cost);
                    return ("control:lsr", new LinkStateMessage(rng.Next(3) == 0 ? AnyNode(rng, fakeId) : fakeId, AnyLong(rng), AnyLong(rng), rng.Next(2) == 0 ? "" : "fuzz-site", neighbours).ToArray());
                }

            case 3:
            case 4:
                {
                    var added = Map(rng, () => AnyAddress(rng, fakeId), () => rng.Next(4) switch { 0 => 0, 1 => int.MaxValue, _ => 1 + rng.Next(100) });
                    var removed = Enumerable.Range(0, rng.Next(3)).Select(_ => AnyAddress(rng, fakeId)).ToList();
                    Dictionary<string, IReadOnlyList<string>>? audiences = null;
                    if (added.Count > 0 && rng.Next(3) == 0)
                    {
                        audiences = new(StringComparer.Ordinal)
                        {
                            [added.Keys.First()] = rng.Next(2) == 0 ? ["+*"] : ["-" + RouterId, "+fuzz-*", "+" + new string('*', 1 + rng.Next(200))],
                        };
                    }

                    return ("control:addr", new AddressMessage(rng.Next(3) == 0 ? AnyNode(rng, fakeId) : fakeId, AnyLong(rng), AnyLong(rng), rng.Next(2) == 0, added, removed, audiences).ToArray());
                }

            default:
                return rng.Next(2) == 0
                    ? ("control:lsr-req", new LinkStateRequest(rng.Next(3) == 0 ? "" : AnyNode(rng, fakeId)).ToArray())
                    : ("control:addr-req", new AddressRequest(rng.Next(3) == 0 ? "" : AnyNode(rng, fakeId)).ToArray());
        }
    }

    private static List<object?> NodeListValue(Random rng, string fakeId) => rng.Next(10) switch
    {
        0 => [],
        1 => [.. Enumerable.Range(0, rng.Next(2) == 0 ? 4096 : 4097).Select(i => (object?)("bulk-" + i))],
        2 => [null, 1, RouterId],
        3 => [RouterId, RouterId, fakeId],
        4 => [""],
        _ => [.. Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => (object?)AnyNode(rng, fakeId))],
    };

    /// <summary>A data-link message: to / dest / trace / retryable / multicast annotations as a neighbour might set them.</summary>
    private static (string Name, byte[] Bytes) DataMessage(Random rng, string fakeId)
    {
        var to = AnyAddress(rng, fakeId);
        var annotations = new Dictionary<AmqpSymbol, object?>();
        if (rng.Next(4) != 0)
        {
            annotations[new AmqpSymbol(RoutingAnnotationKeys.To)] = rng.Next(6) == 0 ? 42 : to;
        }

        if (rng.Next(2) == 0)
        {
            annotations[new AmqpSymbol(RoutingAnnotationKeys.Dest)] = rng.Next(8) == 0 ? "not-a-list" : NodeListValue(rng, fakeId);
        }

        if (rng.Next(2) == 0)
        {
            annotations[new AmqpSymbol(RoutingAnnotationKeys.Trace)] = NodeListValue(rng, fakeId);
        }

        if (rng.Next(4) == 0)
        {
            annotations[new AmqpSymbol(RoutingAnnotationKeys.Retryable)] = rng.Next(3) switch { 0 => true, 1 => false, _ => "yes" };
        }

        if (rng.Next(4) == 0)
        {
            annotations[new AmqpSymbol(RoutingAnnotationKeys.Multicast)] = rng.Next(3) switch { 0 => true, 1 => false, _ => 1 };
        }

        var message = new AmqpMessage
        {
            MessageAnnotations = annotations,
            Properties = new Properties
            {
                MessageId = "m-" + rng.Next(1000),
                To = rng.Next(4) == 0 ? AnyAddress(rng, fakeId) : to,
                ReplyTo = rng.Next(3) switch { 0 => null, 1 => $"{VanRouter.NodeAddressPrefix}{fakeId}/r/1", _ => AnyAddress(rng, fakeId) },
                CorrelationId = "c-1",
            },
            Value = rng.Next(2) == 0 ? "body" : new List<object?> { 1, "two", null },
        };
        return ("data:" + (annotations.Count == 0 ? "plain" : string.Join('+', annotations.Keys.Select(k => k.Value["x-opt-van-".Length..]))), message.ToArray());
    }

    /// <summary>The client stages' messages: the corpus's, and as many again carrying routing annotations.</summary>
    private static List<CorpusEntry> ClientMessages(IReadOnlyList<CorpusEntry> messages)
    {
        lock (RoutingMessagesLock)
        {
            if (_clientMessages is null)
            {
                var list = new List<CorpusEntry>(messages);
                var rng = new Random(20261121);
                for (var i = 0; list.Count < 2 * messages.Count; i++)
                {
                    var (name, bytes) = DataMessage(rng, "fuzz-client");
                    list.Add(new CorpusEntry($"client-{name}", InputKind.Message, bytes));
                }

                _clientMessages = list;
            }

            return _clientMessages;
        }
    }
}
