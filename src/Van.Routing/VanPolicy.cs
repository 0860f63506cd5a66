namespace Van.Routing;

/// <summary>
/// Export and import policy of a node, fixed when the node starts. Address and node patterns are exact names, or use
/// '*' for any run of characters ("orders", "orders.*", "*"); nothing else is special.
/// </summary>
/// <remarks>
/// <para>
/// Which node a list applies to: for another node N, the first of <see cref="Peers"/> whose
/// <see cref="VanPeerPolicy.Match"/> matches N's id or N's site applies, and replaces <see cref="Export"/> and
/// <see cref="Import"/> for N; nodes no rule matches get the node-wide lists. (A rule's lists default to "*": give a
/// rule both lists if the node-wide ones are narrower.)
/// </para>
/// <para>
/// <b>Export</b>: a local address is advertised at all only if the node-wide list or some rule exports it; one no list
/// exports is never advertised and stays reachable by this node's own clients and services only. An address exported
/// to some nodes only is advertised with its audience (the rules, in order), and every other node leaves it out of its
/// routes, so it gets no route (a fast <see cref="VanErrors.NoRoute"/>) rather than a timeout. This node also refuses,
/// with <c>amqp:unauthorized-access</c>, any message for such an address whose ingress node (the node its sender is
/// connected to) it does not export the address to, so a node's own view of the audience is not trusted.
/// </para>
/// <para>
/// <b>Import</b>: an address another node (the origin) advertises is used for routing only if the list that applies
/// to the origin (matched by the origin's id or site) accepts it; otherwise it is ignored as if the origin did not
/// serve it, and logged once per origin and address.
/// </para>
/// <para>
/// Addresses starting with "_van/" (node, reply and control addresses) are the network's own: never advertised, and
/// not subject to these lists.
/// </para>
/// </remarks>
public sealed class VanPolicy
{
    /// <summary>Most rules <see cref="Peers"/> may hold.</summary>
    public const int MaxPeerRules = 255;

    private const string Reserved = "_van/";

    /// <summary>
    /// Local addresses that nodes no <see cref="Peers"/> rule matches may use (and so are advertised); default all
    /// ("*"). An empty list exports nothing by default.
    /// </summary>
    public IList<string> Export { get; } = ["*"];

    /// <summary>Remote addresses used from origins no <see cref="Peers"/> rule matches; default all ("*").</summary>
    public IList<string> Import { get; } = ["*"];

    /// <summary>
    /// Rules per node or site, in order; for each other node the first whose <see cref="VanPeerPolicy.Match"/> matches
    /// its id or site replaces the node-wide lists. Default none.
    /// </summary>
    public IList<VanPeerPolicy> Peers { get; } = [];

    /// <summary>
    /// Addresses ordinary AMQP clients of this node may send to or consume from; default all ("*"). Others are refused
    /// with <c>amqp:unauthorized-access</c> (a link's attach, or each message of an anonymous-relay link). The routing
    /// control addresses (<c>_van/control</c>, <c>_van/data</c>) and other reserved "_van/" addresses are never
    /// reachable (<c>amqp:not-allowed</c>); node addresses (<c>_van/node/…</c>, where replies go) may always be sent to,
    /// and consumed only as a dynamic reply address. <c>_van/status</c> is reachable only if a pattern here matches it
    /// ("*" does).
    /// </summary>
    public IList<string> ClientAddresses { get; } = ["*"];

    /// <summary>Checks the lists; throws <see cref="ArgumentException"/> naming the bad entry and why.</summary>
    internal void Validate()
    {
        CheckAddresses(Export, "Policy.Export", allowStatus: false);
        CheckAddresses(Import, "Policy.Import", allowStatus: false);
        CheckAddresses(ClientAddresses, "Policy.ClientAddresses", allowStatus: true);
        if (Peers is null)
        {
            throw new ArgumentException("Policy.Peers must not be null.");
        }

        if (Peers.Count > MaxPeerRules)
        {
            throw new ArgumentException($"Policy.Peers has {Peers.Count} rules; at most {MaxPeerRules} are allowed.");
        }

        for (var i = 0; i < Peers.Count; i++)
        {
            var where = $"Policy.Peers[{i}]";
            var rule = Peers[i] ?? throw new ArgumentException($"{where} must not be null.");
            CheckPattern(rule.Match, $"{where}.Match");
            CheckAddresses(rule.Export, $"{where}.Export", allowStatus: false);
            CheckAddresses(rule.Import, $"{where}.Import", allowStatus: false);
        }
    }

    private static void CheckAddresses(IList<string>? patterns, string where, bool allowStatus)
    {
        if (patterns is null)
        {
            throw new ArgumentException($"{where} must not be null.");
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            var pattern = patterns[i];
            CheckPattern(pattern, $"{where}[{i}]");
            if (pattern.StartsWith(Reserved, StringComparison.Ordinal) && !(allowStatus && pattern == VanRouter.StatusAddress))
            {
                throw new ArgumentException(allowStatus
                    ? $"{where}[{i}] '{pattern}' names a reserved address: clients never reach '_van/' addresses other than node addresses and '{VanRouter.StatusAddress}'."
                    : $"{where}[{i}] '{pattern}' names a reserved address: '_van/' addresses belong to the network itself and are never advertised.");
            }
        }
    }

    private static void CheckPattern(string? pattern, string where)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw new ArgumentException($"{where} is empty: a pattern is a name, or uses '*' for any run of characters.");
        }

        if (pattern.Length > 1024)
        {
            throw new ArgumentException($"{where} is {pattern.Length} characters long; at most 1024 are allowed.");
        }
    }
}
