using System.Threading.Channels;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Routing.Internal.Topology;

namespace Van.Routing.Internal;

/// <summary>
/// One AMQP connection of a node, client or inter-node, and the handler for what its peer attaches. Inter-node
/// connections carry, in each direction, a control link (routing protocol, pre-settled) and a data link (forwarded
/// messages, unsettled so outcomes flow back).
/// </summary>
internal sealed class RouterConnection(VanRouter router, int localCost, string description, RouterConnection.Admission admission) : AmqpConnectionHandler
{
    public const string ControlAddress = "_van/control";
    public const string DataAddress = "_van/data";
    public const string RoleKey = "van-role";
    public const string IdKey = "van-id";
    public const string SiteKey = "van-site";
    public const string CostKey = "van-cost";
    public const string InterNodeRole = "inter-node";
    public const string ExternalMechanism = "EXTERNAL";

    private readonly Channel<byte[]> _controlOut = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly int _localCost = localCost;
    private volatile SenderLink? _dataSender;
    private PresettledCopies? _copies;

    public string Description { get; } = description;

    public AmqpConnection? Connection { get; private set; }

    public ConnectionKind Kind { get; private set; }

    public string? PeerId { get; private set; }

    /// <summary>The site the peer node named in its open (van-site); null for clients.</summary>
    public string? PeerSite { get; private set; }

    /// <summary>Why the connection is refused (its kind is <see cref="ConnectionKind.Refused"/>); null otherwise.</summary>
    public string? RefusalReason { get; private set; }

    /// <summary>Who may connect, and how, on the listener this connection came in on.</summary>
    public Admission Rules { get; } = admission;

    public int Cost { get; private set; } = localCost < 1 ? 1 : localCost;

    /// <summary>Telemetry tags (<c>van.node</c>, <c>van.peer</c>) of deliveries forwarded on this connection; null for clients.</summary>
    public KeyValuePair<string, object?>[]? ForwardTags { get; private set; }

    /// <summary>Telemetry tags of data-link transfers sent on this connection; null for clients.</summary>
    public KeyValuePair<string, object?>[]? SentTags { get; private set; }

    /// <summary>Telemetry tags of data-link transfers received on this connection; null for clients.</summary>
    public KeyValuePair<string, object?>[]? ReceivedTags { get; private set; }

    /// <summary>The link forwarded messages go out on; null until attached or once the connection is closed.</summary>
    public SenderLink? DataSender => _dataSender;

    /// <summary>The pre-settled (multicast) copies for <paramref name="sender"/>, this connection's data link: one queue per link.</summary>
    public PresettledCopies CopiesFor(SenderLink sender)
    {
        var copies = Volatile.Read(ref _copies);
        if (copies?.Sender == sender)
        {
            return copies;
        }

        var fresh = new PresettledCopies(sender);
        var seen = Interlocked.CompareExchange(ref _copies, fresh, copies);
        return seen == copies ? fresh : seen!.Sender == sender ? seen : fresh;
    }

    public bool IsClosed { get; private set; }

    // Owned by the control loop: whether the protocol knows this connection's neighbour is up, and control messages
    // that arrived before that.
    public bool ProtocolUp { get; set; }

    public List<ControlMessage>? EarlyControl { get; set; }

    /// <summary>The connection's frame count at the last tick (control loop only): a change is proof of life.</summary>
    public long FramesSeen { get; set; }

    /// <summary>
    /// Decides, once the peer's open is in, what kind of connection this is. Safe to call more than once. The open
    /// properties only say what the peer claims to be: a claim the listener does not admit (a node on a client-only
    /// listener, a client on a node-only one, a node on a TLS listener that did not authenticate with its certificate,
    /// an anonymous client where anonymous is not allowed) makes the connection <see cref="ConnectionKind.Refused"/>,
    /// which no link is ever attached on.
    /// </summary>
    public ConnectionKind Classify(AmqpConnection connection)
    {
        lock (_lock)
        {
            if (Kind != ConnectionKind.Unknown)
            {
                return Kind;
            }

            Connection = connection;
            var props = connection.RemoteOpen?.Properties;
            if (props is not null && Get(props, RoleKey) as string == InterNodeRole && Get(props, IdKey) is string id && id.Length > 0)
            {
                if ((Rules.Roles & VanConnectionRoles.InterNode) == 0)
                {
                    return Refuse($"listener {Rules.Listener} does not admit nodes (role=client)");
                }

                if (Rules.NodesNeedCertificate && connection.SaslMechanism != ExternalMechanism)
                {
                    return Refuse($"a node on TLS listener {Rules.Listener} must authenticate with its certificate (SASL EXTERNAL), not {connection.SaslMechanism ?? "no SASL"}");
                }

                PeerId = id;
                PeerSite = Get(props, SiteKey) as string;
                var peerCost = Get(props, CostKey) switch
                {
                    int i => i,
                    long l => (int)Math.Clamp(l, 1, int.MaxValue),
                    uint u => (int)Math.Min(u, int.MaxValue),
                    _ => 1,
                };
                Cost = Math.Max(_localCost, Math.Max(1, peerCost));
                ForwardTags = RouterTelemetry.PeerTags(router.NodeId, id);
                SentTags = RouterTelemetry.LinkTags(router.NodeId, id, "sent");
                ReceivedTags = RouterTelemetry.LinkTags(router.NodeId, id, "received");
                Kind = ConnectionKind.InterNode;
            }
            else
            {
                if ((Rules.Roles & VanConnectionRoles.Client) == 0)
                {
                    return Refuse($"listener {Rules.Listener} admits only nodes (role=inter-node)");
                }

                if (!Rules.AllowAnonymousClients && connection.SaslMechanism is null or "ANONYMOUS")
                {
                    return Refuse($"listener {Rules.Listener} does not admit anonymous clients");
                }

                Kind = ConnectionKind.Client;
            }

            return Kind;
        }

        ConnectionKind Refuse(string reason)
        {
            RefusalReason = reason;
            Kind = ConnectionKind.Refused;
            return Kind;
        }
    }

    private static object? Get(Dictionary<AmqpSymbol, object?> props, string key) => props.TryGetValue(new AmqpSymbol(key), out var v) ? v : null;

    public override Error? OnLinkAttaching(AmqpLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var kind = Classify(link.Session.Connection);
        if (kind == ConnectionKind.Refused)
        {
            return new Error { Condition = ErrorCondition.UnauthorizedAccess, Description = "The connection is refused: " + RefusalReason };
        }

        if (kind == ConnectionKind.InterNode)
        {
            var target = link.RemoteAttach?.Target?.Address;
            return link.Role == LinkRole.Receiver && target is ControlAddress or DataAddress
                ? null
                : new Error { Condition = ErrorCondition.NotAllowed, Description = "Only control and data links are attached between nodes." };
        }

        return router.OnClientLinkAttaching(this, link);
    }

    public override void OnLinkAttached(AmqpLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (Kind == ConnectionKind.InterNode && link is ReceiverLink receiver)
        {
            // A data link carries many producers' messages, each bounded by the credit its ingress node grants; the
            // per-link unsettled limit is for client links.
            receiver.MaxUnsettled = int.MaxValue;
            if (receiver.Address == ControlAddress)
            {
                receiver.SetDeliveryHandler(d => router.OnControlDelivery(this, d));
                receiver.SetCredit(1000);
            }
            else
            {
                receiver.SetReusingDeliveryHandler(d => router.OnNodeDelivery(this, d));
                receiver.SetCredit(1000);
            }

            return;
        }

        router.OnClientLinkAttached(this, link);
    }

    /// <summary>Attaches our control and data senders to the neighbour and starts the control pump.</summary>
    public async Task OpenInterNodeLinksAsync(string selfId, CancellationToken cancellationToken)
    {
        var connection = Connection!;
        var session = await connection.BeginSessionAsync(cancellationToken);
        var control = await session.OpenSenderAsync($"van-control:{selfId}", ControlAddress, SenderSettleMode.Settled, cancellationToken);
        _dataSender = await session.OpenSenderAsync($"van-data:{selfId}", DataAddress, SenderSettleMode.Mixed, cancellationToken);
        _ = PumpControlAsync(control);
    }

    /// <summary>Queues an encoded control message for the neighbour (never blocks the control loop).</summary>
    public void SendControl(byte[] message) => _controlOut.Writer.TryWrite(message);

    private async Task PumpControlAsync(SenderLink control)
    {
        try
        {
            while (await _controlOut.Reader.WaitToReadAsync())
            {
                while (_controlOut.Reader.TryRead(out var message))
                {
                    await control.SendAsync(message, settled: true);
                }
            }
        }
        catch (AmqpException)
        {
            // The connection is going; the node resyncs the neighbour when it reconnects.
        }
    }

    public void MarkClosed()
    {
        IsClosed = true;
        _dataSender = null;
        _controlOut.Writer.TryComplete();
    }

    public override string ToString() => PeerId is null ? Description : $"{Description} ({PeerId})";

    /// <summary>Who a listener admits, and how (in-memory and outgoing connections admit everyone, as before).</summary>
    /// <param name="Roles">The roles admitted.</param>
    /// <param name="NodesNeedCertificate">Nodes must have authenticated with SASL EXTERNAL (TLS listeners).</param>
    /// <param name="AllowAnonymousClients">Clients may come in anonymously (SASL ANONYMOUS, or no SASL at all).</param>
    /// <param name="Listener">The listener's name, for refusal messages.</param>
    public sealed record Admission(VanConnectionRoles Roles, bool NodesNeedCertificate, bool AllowAnonymousClients, string Listener)
    {
        public static Admission Everyone { get; } = new(VanConnectionRoles.Both, false, true, "(any)");
    }
}
