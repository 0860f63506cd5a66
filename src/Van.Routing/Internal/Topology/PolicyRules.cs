namespace Van.Routing.Internal.Topology;

/// <summary>
/// A node's <see cref="VanPolicy"/>, compiled once at start (patterns into <see cref="AddressPatternSet"/>s) and
/// immutable after: the control loop and the message path read it without locks.
/// </summary>
/// <remarks>
/// Link-state routing floods every origin's address set to the whole network as it is, so what an origin exports to
/// one node but not another cannot be done by not telling a neighbour. Instead an address an origin exports to some
/// nodes only carries its <em>audience</em> in the address record: an ordered list of entries "+pattern" (may use it)
/// or "-pattern" (may not), each pattern matched against a receiving node's id or site, the first match deciding and
/// no match meaning "may". Each receiving node applies it to itself when it computes destinations; the origin also
/// refuses messages whose ingress node it does not export the address to, since a node's own view is not proof.
/// </remarks>
internal sealed class PolicyRules
{
    /// <summary>An audience entry that lets the nodes it matches use the address.</summary>
    public const char AllowEntry = '+';

    /// <summary>An audience entry that keeps the nodes it matches from using the address.</summary>
    public const char DenyEntry = '-';

    /// <summary>Most peer rules a policy may have (and so most entries an audience carries).</summary>
    public const int MaxRules = 255;

    private readonly Rule[] _rules;

    public PolicyRules(VanPolicy policy, string nodeId, string site)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentNullException.ThrowIfNull(site);
        NodeId = nodeId;
        Site = site;
        Export = AddressPatternSet.Compile(policy.Export);
        Import = AddressPatternSet.Compile(policy.Import);
        ClientAddresses = AddressPatternSet.Compile(policy.ClientAddresses);
        _rules = [.. policy.Peers.Select(p => new Rule(p.Match, AddressPatternSet.Compile(p.Export), AddressPatternSet.Compile(p.Import)))];
        ExportsAll = Export.MatchesAll && _rules.All(r => r.Export.MatchesAll);
        ImportsAll = Import.MatchesAll && _rules.All(r => r.Import.MatchesAll);
        ClientsReachAll = ClientAddresses.MatchesAll;
    }

    public string NodeId { get; }

    public string Site { get; }

    /// <summary>What nodes no rule matches may use of this node's addresses.</summary>
    public AddressPatternSet Export { get; }

    /// <summary>What this node uses of the addresses of origins no rule matches.</summary>
    public AddressPatternSet Import { get; }

    public AddressPatternSet ClientAddresses { get; }

    /// <summary>Every node may use every address of this node (the default): nothing to check or carry.</summary>
    public bool ExportsAll { get; }

    /// <summary>This node uses every address of every origin (the default).</summary>
    public bool ImportsAll { get; }

    /// <summary>Clients may reach every address but the reserved ones (the default).</summary>
    public bool ClientsReachAll { get; }

    /// <summary>Nothing restricted at all.</summary>
    public bool IsDefault => ExportsAll && ImportsAll && ClientsReachAll;

    public int RuleCount => _rules.Length;

    /// <summary>A policy that allows everything, for a node (or a protocol test) without one.</summary>
    public static PolicyRules AllowAll(string nodeId, string site) => new(new VanPolicy(), nodeId, site);

    /// <summary>Whether a local address is advertised at all: some node (by the node-wide list or a rule) may use it.</summary>
    public bool IsExported(string address)
    {
        if (ExportsAll || Export.IsMatch(address))
        {
            return true;
        }

        foreach (var rule in _rules)
        {
            if (rule.Export.IsMatch(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The audience entries advertised with an exported local address; null when every node may use it (the usual
    /// case, which carries nothing on the wire). Entries after a rule matching every node, and trailing "+" entries
    /// (no match already means "may"), are left out.
    /// </summary>
    public string[]? AudienceOf(string address)
    {
        if (ExportsAll)
        {
            return null;
        }

        var entries = new List<string>(_rules.Length + 1);
        var complete = false;
        foreach (var rule in _rules)
        {
            entries.Add((rule.Export.IsMatch(address) ? AllowEntry : DenyEntry) + rule.Match);
            if (rule.Match.AsSpan().IndexOfAnyExcept('*') < 0)
            {
                complete = true;
                break;
            }
        }

        if (!complete)
        {
            entries.Add((Export.IsMatch(address) ? AllowEntry : DenyEntry) + "*");
        }

        while (entries.Count > 0 && entries[^1][0] == AllowEntry)
        {
            entries.RemoveAt(entries.Count - 1);
        }

        return entries.Count == 0 ? null : [.. entries];
    }

    /// <summary>
    /// Whether node <paramref name="nodeId"/> may use this node's <paramref name="address"/>: the first rule matching
    /// the node's id or site decides, else the node-wide list. With the site unknown (null), the answer when it does
    /// not matter, else null.
    /// </summary>
    public bool? ExportsTo(string nodeId, string? site, string address) => ExportsAll ? true : ExportsFrom(0, nodeId, site, address);

    /// <summary>Whether this node uses <paramref name="address"/> as served by <paramref name="origin"/> of <paramref name="site"/>.</summary>
    public bool Imports(string origin, string site, string address)
    {
        if (ImportsAll)
        {
            return true;
        }

        foreach (var rule in _rules)
        {
            if (AddressPattern.MatchesNode(rule.Match, origin, site))
            {
                return rule.Import.IsMatch(address);
            }
        }

        return Import.IsMatch(address);
    }

    /// <summary>Whether an origin's audience for one of its addresses lets node <paramref name="nodeId"/> of <paramref name="site"/> use it.</summary>
    public static bool AudienceAllows(IReadOnlyList<string> entries, string nodeId, string site)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (AddressPattern.MatchesNode(entry.AsSpan(1), nodeId, site))
            {
                return entry[0] == AllowEntry;
            }
        }

        return true;
    }

    /// <summary>A one-line summary for the start-up log.</summary>
    public override string ToString() =>
        $"export {Export}, import {Import}, {_rules.Length} peer rule(s){string.Concat(_rules.Select(r => $" [{r.Match}: export {r.Export}, import {r.Import}]"))}, clients reach {ClientAddresses}";

    private bool? ExportsFrom(int first, string nodeId, string? site, string address)
    {
        for (var i = first; i < _rules.Length; i++)
        {
            var rule = _rules[i];
            if (AddressPattern.MatchesNode(rule.Match, nodeId, site))
            {
                return rule.Export.IsMatch(address);
            }

            if (site is null)
            {
                // The rule may match the node's site: it decides either way only if the answer is the same.
                var ifMatched = rule.Export.IsMatch(address);
                var otherwise = ExportsFrom(i + 1, nodeId, site, address);
                return otherwise == ifMatched ? ifMatched : null;
            }
        }

        return Export.IsMatch(address);
    }

    private sealed record Rule(string Match, AddressPatternSet Export, AddressPatternSet Import);
}
