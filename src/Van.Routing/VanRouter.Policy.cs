using System.Collections.Concurrent;
using Van.Core.Amqp.Framing;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Routing;

/// <summary>
/// <see cref="VanPolicy"/> where messages and links meet it: what clients may reach, and the serving node's check of
/// the ingress node of each message for an address it exports to some nodes only. With the default policy each check
/// is a flag test (no lookup, no allocation).
/// </summary>
public sealed partial class VanRouter
{
    private const string ReservedPrefix = "_van/";

    /// <summary>Cached decisions of <see cref="ExportsTo"/> kept at most; past it decisions are made afresh each time.</summary>
    private const int MaxExportDecisions = 16 * 1024;

    private PolicyRules? _policy;
    private ExportDecisions _exportDecisions = new(null);

    /// <summary>The node's policy, compiled on first use (at the latest when the control loop starts) and fixed after.</summary>
    internal PolicyRules Policy => _policy ?? CompilePolicy();

    private PolicyRules CompilePolicy()
    {
        var compiled = new PolicyRules(_options.Policy, NodeId, _options.Site);
        return Interlocked.CompareExchange(ref _policy, compiled, null) ?? compiled;
    }

    /// <summary>
    /// Why a client may not send to <paramref name="address"/> (a sender link's target, or an anonymous-relay
    /// message's <c>to</c>), or null when it may: node addresses always (replies go there), other reserved addresses
    /// never (<c>amqp:not-allowed</c>), the rest when <see cref="VanPolicy.ClientAddresses"/> matches
    /// (<c>amqp:unauthorized-access</c>).
    /// </summary>
    internal Error? ClientSendRefusal(string address)
    {
        if (address.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            if (address.StartsWith(NodeAddressPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            if (address != StatusAddress)
            {
                return ReservedError(address);
            }
        }

        var policy = Policy;
        return policy.ClientsReachAll || policy.ClientAddresses.IsMatch(address) ? null : HiddenError(address);
    }

    /// <summary>
    /// Why a client may not consume <paramref name="address"/> (a receiver link's source, other than a dynamic one), or
    /// null when it may: no reserved address (node addresses only as dynamic reply addresses), the rest when
    /// <see cref="VanPolicy.ClientAddresses"/> matches.
    /// </summary>
    internal Error? ClientConsumeRefusal(string address)
    {
        if (address.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            return address.StartsWith(NodeAddressPrefix, StringComparison.Ordinal) && !address.StartsWith(_nodeAddressPrefix, StringComparison.Ordinal)
                ? new Error { Condition = ErrorCondition.NotAllowed, Description = $"'{address}' belongs to another node; consume it there." }
                : ReservedError(address);
        }

        var policy = Policy;
        return policy.ClientsReachAll || policy.ClientAddresses.IsMatch(address) ? null : HiddenError(address);
    }

    private static Error ReservedError(string address) => new()
    {
        Condition = ErrorCondition.NotAllowed,
        Description = $"'{address}' is reserved for the network itself: clients send to node addresses (replies) and consume them only as dynamic reply addresses.",
    };

    private Error HiddenError(string address) => new()
    {
        Condition = ErrorCondition.UnauthorizedAccess,
        Description = $"Clients of node '{NodeId}' may not reach '{address}' (policy).",
    };

    /// <summary>
    /// At the node about to hand a message that came from another node to a local consumer: null when the export policy
    /// lets its ingress node (the first of its trace) use the address; else rejected with
    /// <c>amqp:unauthorized-access</c> (the caller learns at once why), or released when the ingress node's site is not
    /// known yet and decides it (the ingress tries again once routes move on, within its reroute timeout).
    /// </summary>
    private DeliveryState? ExportRefusal(InFlight f)
    {
        var address = f.Address;
        if (address.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            // Node and reply addresses are not exported: whoever holds one may answer to it.
            return null;
        }

        var trace = f.Header.Trace;
        var ingress = trace.Count > 0 ? trace[0] : null;
        switch (ingress is null ? false : ExportsTo(ingress, address))
        {
            case true:
                return null;
            case false:
                Log.ExportRefused(_logger, NodeId, address, ingress ?? "(none)");
                return Reject(ErrorCondition.UnauthorizedAccess, $"Node '{NodeId}' does not export '{address}' to node '{ingress ?? "(unknown)"}'.");
            default:
                Log.ExportUndecided(_logger, NodeId, address, ingress!);
                return Released.Instance;
        }
    }

    /// <summary>Whether this node exports <paramref name="address"/> to <paramref name="node"/>; null while that depends on the node's unknown site.</summary>
    private bool? ExportsTo(string node, string address)
    {
        var snapshot = _snapshot;
        var decisions = _exportDecisions;
        if (!ReferenceEquals(decisions.Sites, snapshot.Sites))
        {
            // A node appeared, changed site or was forgotten: decide afresh.
            decisions = new ExportDecisions(snapshot.Sites);
            _exportDecisions = decisions;
        }

        if (decisions.Known.TryGetValue((node, address), out var known))
        {
            return known;
        }

        var decision = Policy.ExportsTo(node, snapshot.TryGetSite(node, out var site) ? site : null, address);
        if (decision is { } d && Volatile.Read(ref decisions.Count) < MaxExportDecisions && decisions.Known.TryAdd((node, address), d))
        {
            Interlocked.Increment(ref decisions.Count);
        }

        return decision;
    }

    /// <summary>Export decisions per (ingress node, address), valid for one set of known sites.</summary>
    private sealed class ExportDecisions(IReadOnlyDictionary<string, string>? sites)
    {
        public int Count;

        public IReadOnlyDictionary<string, string>? Sites { get; } = sites;

        public ConcurrentDictionary<(string Node, string Address), bool> Known { get; } = new();
    }
}
