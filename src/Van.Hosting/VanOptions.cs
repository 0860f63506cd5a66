namespace Van;

/// <summary>
/// How this process's Van node joins the network: bound from the "Van" configuration section or set in code through
/// <c>AddVirtualNetwork(o =&gt; …)</c>, and validated when the host starts.
/// </summary>
public sealed class VanOptions
{
    /// <summary>The configuration section <c>AddVirtualNetwork(IConfiguration)</c> is usually given.</summary>
    public const string SectionName = "Van";

    /// <summary>
    /// This node's id, unique in the network (letters, digits, '-', '_', '.'). Default: the host name and the process
    /// id (<c>web-01-4711</c>), unique per process but new on every restart.
    /// </summary>
    public string? NodeId { get; set; }

    /// <summary>The site (cluster, cloud, data centre) this node runs in; shown by <c>van status</c>. Default "default".</summary>
    public string Site { get; set; } = "default";

    /// <summary>
    /// Endpoints other nodes and AMQP clients connect to, as <c>HOST:PORT</c>, <c>amqp://HOST:PORT</c> or
    /// <c>amqps://HOST:PORT</c> (TLS with <see cref="Tls"/>; port 0 picks a free port), optionally followed by
    /// <c>,role=inter-node|client|both</c> (whom it admits; default both) and <c>,anonymous=false</c>. Default none: the
    /// node only dials out, which is enough for a process that calls services or serves them through links.
    /// </summary>
    public IList<string> Listeners { get; } = [];

    /// <summary>Nodes this node keeps a connection to; redialled with backoff whenever the connection fails.</summary>
    public IList<VanLinkOptions> Links { get; } = [];

    /// <summary>The node's certificate and the site CA bundle, for <c>amqps://</c> listeners and links (mutual TLS).</summary>
    public VanCertificateOptions? Tls { get; set; }

    /// <summary>Which services this node exports and imports, and what its AMQP clients may reach. Default: everything.</summary>
    public VanPolicyOptions Policy { get; } = new();

    /// <summary>
    /// Resource limits (connections per listener, handshake timeout, frame and message size, sessions, links, addresses
    /// per peer, unsettled deliveries per link). Exceeding one closes only the offending connection or link.
    /// </summary>
    public Van.Routing.VanLimits Limits { get; } = new();

    /// <summary>Per address: distribution and the concurrency this process serves it with.</summary>
    public IDictionary<string, VanServiceOptions> Services { get; } = new Dictionary<string, VanServiceOptions>(StringComparer.Ordinal);

    /// <summary>
    /// How long a request waits for its reply when the call gives no timeout of its own. Default 30 s. The handler is
    /// cancelled at the same deadline, wherever it runs.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On stop, how long the node waits for handlers still running and calls still waiting for replies before it
    /// leaves the network. Default 10 s (the host's own shutdown timeout may cut it shorter). The node withdraws its
    /// services first and stays linked at least 250 ms (within this timeout), so calls other nodes routed to it before
    /// they heard are handed back and re-routed rather than lost.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the node says HELLO to its neighbours; a neighbour silent for three intervals is dead and traffic
    /// fails over. Default 1 s. Lower finds dead links sooner at the price of more control traffic.
    /// </summary>
    public TimeSpan HelloInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The concurrency a service is served with when <see cref="Services"/> does not name it. Default 64. This is the
    /// credit other nodes see: beyond it, calls overflow to other instances (or queue here when there are none).
    /// </summary>
    public int DefaultMaxConcurrency { get; set; } = 64;

    /// <summary>
    /// Addresses this application needs: the health check (<c>AddVanHealthCheck()</c>) reports unhealthy while the
    /// node has no route to any of them.
    /// </summary>
    public IList<string> RequiredServices { get; } = [];
}
