namespace Van.Routing;

/// <summary>
/// Resource limits of a node. Exceeding one closes only the offending connection or link, with
/// <c>amqp:resource-limit-exceeded</c>; the node keeps serving everyone else. Each default is safe for a node facing
/// the internet. The limits apply to every connection, accepted or made, client or inter-node (except
/// <see cref="MaxUnsettledPerLink"/>, which is for client links); <see cref="VanRouterOptions.Validate"/> checks they
/// are all positive.
/// </summary>
public sealed class VanLimits
{
    /// <summary>
    /// Connections one listener holds at once, counting those still in their handshake (default 1,000). A connection
    /// beyond it is closed on arrival, before TLS or AMQP, and logged; the count drops as connections end. Raising it
    /// lets more peers in at once, each holding buffers (tens of KiB) and a handshake slot.
    /// </summary>
    public int MaxConnectionsPerListener { get; set; } = 1000;

    /// <summary>
    /// Time a new connection has to finish TLS, SASL and the AMQP open exchange (default 10 s); one that does not is
    /// closed. Raising it lets slow or idle peers hold connection slots longer.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest AMQP frame accepted, in bytes (default 65,536; at least 512), advertised in <c>open</c>. A peer sending a
    /// larger frame is disconnected. Raising it means fewer frames per large message, but a peer can make the node
    /// buffer this much per frame before it can be judged.
    /// </summary>
    public uint MaxFrameSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest message accepted on a link, in bytes (default 64 MiB), advertised in <c>attach</c>. A larger message
    /// closes the link it came on. Raising it lets one message hold more memory while it is assembled and forwarded.
    /// </summary>
    public ulong MaxMessageSize { get; set; } = 64UL * 1024 * 1024;

    /// <summary>
    /// Sessions one connection may have open (default 32; at most 65,536), advertised in <c>open</c> as
    /// channel-max = this − 1. A peer beginning more is disconnected. Nodes use one session per connection.
    /// </summary>
    public int MaxSessionsPerConnection { get; set; } = 32;

    /// <summary>
    /// Links one connection may have attached, over all its sessions (default 1,024). An attach beyond it is refused
    /// with <c>amqp:resource-limit-exceeded</c>. Each link holds a little state and, for consumers, routing entries.
    /// </summary>
    public int MaxLinksPerConnection { get; set; } = 1024;

    /// <summary>
    /// Addresses one peer node may advertise (default 100,000). A neighbour whose own advertisement exceeds it is
    /// disconnected with <c>amqp:resource-limit-exceeded</c>; an advertisement relayed from a farther node that
    /// exceeds it is ignored (that node's addresses are unreachable from here) and logged. Raising it lets one node
    /// grow every node's address table.
    /// </summary>
    public int MaxAddressesPerPeer { get; set; } = 100_000;

    /// <summary>
    /// Unsettled deliveries one incoming client link may hold (default 1,000): a producer whose messages are not yet
    /// settled downstream. A client sending more on a link closes that link. Keep it at least
    /// <see cref="VanRouterOptions.ProducerCredit"/> (which well-behaved producers never exceed); each unsettled
    /// delivery holds its message until it is settled. Data links between nodes carry many producers' messages at once
    /// and are bounded by those producers' credit instead.
    /// </summary>
    public int MaxUnsettledPerLink { get; set; } = 1000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first limit that is not positive or out of range.</summary>
    internal void Validate()
    {
        Positive(MaxConnectionsPerListener, nameof(MaxConnectionsPerListener));
        Positive(MaxSessionsPerConnection, nameof(MaxSessionsPerConnection));
        Positive(MaxLinksPerConnection, nameof(MaxLinksPerConnection));
        Positive(MaxAddressesPerPeer, nameof(MaxAddressesPerPeer));
        Positive(MaxUnsettledPerLink, nameof(MaxUnsettledPerLink));
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Limits.HandshakeTimeout must be positive (was {HandshakeTimeout}).");
        }

        if (MaxFrameSize < 512)
        {
            throw new ArgumentException($"Limits.MaxFrameSize must be at least 512 bytes (was {MaxFrameSize}).");
        }

        if (MaxMessageSize == 0)
        {
            throw new ArgumentException("Limits.MaxMessageSize must be positive.");
        }

        if (MaxSessionsPerConnection > ushort.MaxValue + 1)
        {
            throw new ArgumentException($"Limits.MaxSessionsPerConnection must be at most 65536 (was {MaxSessionsPerConnection}).");
        }

        static void Positive(int value, string name)
        {
            if (value < 1)
            {
                throw new ArgumentException($"Limits.{name} must be at least 1 (was {value}).");
            }
        }
    }
}
