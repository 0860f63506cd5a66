using Microsoft.Extensions.Logging;

namespace Van.Routing;

/// <summary>Settings of one node. <see cref="Validate"/> runs when the node starts.</summary>
public sealed class VanRouterOptions
{
    /// <summary>The node's id, unique in the network (required). Letters, digits, '-', '_' and '.'.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>The site the node belongs to (a cluster, cloud or data centre); informational. Default "default".</summary>
    public string Site { get; set; } = "default";

    /// <summary>Where to accept other nodes and AMQP clients.</summary>
    public IList<VanEndpoint> Listeners { get; } = [];

    /// <summary>Nodes to connect to; each is retried forever with capped, jittered backoff.</summary>
    public IList<VanEndpoint> Connectors { get; } = [];

    /// <summary>How often a HELLO goes to each neighbour (default 1 s). Lower detects silent failures sooner, at more traffic.</summary>
    public TimeSpan HelloInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A neighbour silent for this many HELLO intervals is dead (default 3).</summary>
    public int DeadAfterMissedHellos { get; set; } = 3;

    /// <summary>
    /// Least time between two route computations (default 20 ms; zero computes after every burst of events). Events
    /// that arrive meanwhile are folded into one new link-state record and one Dijkstra run, which keeps start-up and
    /// floods cheap in large networks, at the cost of up to this much delay before routes reflect a change. (Traffic
    /// never waits for it: a closed connection is avoided at once.)
    /// </summary>
    public TimeSpan RecomputeInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Credit a node grants each producer link (default 250): the most unsettled messages one producer has in
    /// flight. Credit comes back as messages are settled downstream, so slow consumers slow producers.
    /// Raising it buys throughput on long paths at the cost of memory held for in-flight messages.
    /// </summary>
    public int ProducerCredit { get; set; } = 250;

    /// <summary>
    /// Capacity advertised for an address per attached AMQP consumer link (default 250): the in-flight deliveries
    /// other nodes send this node for it before treating it as saturated and overflowing to the next cost tier.
    /// </summary>
    public int ConsumerCapacity { get; set; } = 250;

    /// <summary>How many destinations a node tries for one message before it gives up (default 3).</summary>
    public int MaxForwardAttempts { get; set; } = 3;

    /// <summary>
    /// How long the ingress node keeps a message whose known destinations all failed (a node died, a link dropped),
    /// waiting for routing to converge on new routes, before it answers no-route (default 5 s; zero disables).
    /// Covers dead-neighbour detection (<see cref="HelloInterval"/> × <see cref="DeadAfterMissedHellos"/>) plus a
    /// round of flooding. Messages to addresses nothing serves fail at once regardless.
    /// </summary>
    public TimeSpan RerouteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before a connector retries (default 100 ms); doubles per failure up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap on the connector's retry delay (default 5 s). Each delay is jittered down to half its value.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Distribution by address prefix (longest prefix wins); addresses that match none use <see cref="DefaultDistribution"/>.</summary>
    public IDictionary<string, Distribution> Distributions { get; } = new Dictionary<string, Distribution>(StringComparer.Ordinal);

    /// <summary>The distribution of addresses no prefix matches (default <see cref="Distribution.Closest"/>).</summary>
    public Distribution DefaultDistribution { get; set; } = Distribution.Closest;

    /// <summary>The node's TLS identity and the site CA bundle, used by every <c>amqps</c> endpoint that has no TLS settings of its own.</summary>
    public VanTlsOptions? Tls { get; set; }

    /// <summary>
    /// Validates SASL PLAIN credentials (user, password) of clients and returns true to let them in; null: PLAIN is not
    /// offered. Runs on the connection's handshake, so keep it quick and never block on I/O. PLAIN sends the password
    /// as is: offer it only on TLS listeners unless the network is trusted.
    /// </summary>
    public Func<string, string, bool>? PlainCredentialValidator { get; set; }

    /// <summary>What this node exports to and imports from its peers, and what its clients may reach.</summary>
    public VanPolicy Policy { get; } = new();

    /// <summary>Resource limits; exceeding one closes only the offending connection or link.</summary>
    public VanLimits Limits { get; } = new();

    /// <summary>Clock for HELLOs, dead-neighbour detection and backoff; tests inject their own.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the node and its connections log; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one and why.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(NodeId) || !NodeId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"NodeId '{NodeId}' is invalid: it must be non-empty and use only letters, digits, '-', '_' and '.'.");
        }

        if (string.IsNullOrWhiteSpace(Site))
        {
            throw new ArgumentException("Site must not be empty.");
        }

        foreach (var e in Listeners.Concat(Connectors))
        {
            if (e.Cost < 1 || e.Port is < 0 or > 65535 || string.IsNullOrEmpty(e.Host))
            {
                throw new ArgumentException($"Endpoint '{e}' is invalid: host required, port 0-65535, cost at least 1.");
            }
        }

        foreach (var e in Listeners)
        {
            if ((e.Roles & VanConnectionRoles.Both) == VanConnectionRoles.None)
            {
                throw new ArgumentException($"Listener '{e}' admits no one: Roles must include InterNode, Client or both.");
            }

            if (!e.UseTls)
            {
                continue;
            }

            var certificate = (e.Tls ?? Tls)?.Certificate
                ?? throw new ArgumentException($"Listener '{e}' uses TLS but has no certificate: set its Tls.Certificate or the node's Tls.Certificate.");
            if (!certificate.HasPrivateKey)
            {
                throw new ArgumentException($"Listener '{e}' uses TLS but its certificate ({certificate.Subject}) has no private key.");
            }
        }

        foreach (var e in Connectors)
        {
            if (e.UseTls && (e.Tls ?? Tls)?.Certificate is { HasPrivateKey: false } certificate)
            {
                throw new ArgumentException($"Connector '{e}': its client certificate ({certificate.Subject}) has no private key.");
            }
        }

        if (HelloInterval <= TimeSpan.Zero || DeadAfterMissedHellos < 1)
        {
            throw new ArgumentException("HelloInterval must be positive and DeadAfterMissedHellos at least 1.");
        }

        if (ProducerCredit < 1 || ConsumerCapacity < 1 || MaxForwardAttempts < 1)
        {
            throw new ArgumentException("ProducerCredit, ConsumerCapacity and MaxForwardAttempts must be at least 1.");
        }

        if (RerouteTimeout < TimeSpan.Zero || RecomputeInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("RerouteTimeout and RecomputeInterval must not be negative.");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException("ReconnectMinDelay must be positive and ReconnectMaxDelay at least as large.");
        }

        Limits.Validate();
        Policy.Validate();
    }
}
