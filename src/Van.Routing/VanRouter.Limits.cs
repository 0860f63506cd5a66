using Van.Core.Amqp.Framing;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Routing;

/// <summary><see cref="VanLimits.MaxAddressesPerPeer"/>, checked on the control loop as address records arrive.</summary>
public sealed partial class VanRouter
{
    // Origins whose over-limit records were already logged (control loop only), so a flood logs each origin once.
    private readonly HashSet<string> _overAddressLimit = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether an address record may be applied: the set it leaves its origin with holds at most
    /// <see cref="VanLimits.MaxAddressesPerPeer"/> addresses. A neighbour over the limit with its own addresses is
    /// disconnected with <c>amqp:resource-limit-exceeded</c>; a record it relays from a farther node is dropped (that
    /// node's addresses stay as they were, or unknown).
    /// </summary>
    private bool WithinAddressLimit(RouterConnection rc, AddressMessage message)
    {
        if (string.Equals(message.Origin, NodeId, StringComparison.Ordinal))
        {
            return true;
        }

        var max = _options.Limits.MaxAddressesPerPeer;
        var count = message.Full ? message.Added.Count : CountAfter(_protocol.StoredAddresses(message.Origin), message);
        if (count <= max)
        {
            _overAddressLimit.Remove(message.Origin);
            return true;
        }

        if (string.Equals(message.Origin, rc.PeerId, StringComparison.Ordinal))
        {
            Log.AddressLimitNeighbour(_logger, NodeId, message.Origin, count, max);
            if (rc.Connection is { } connection)
            {
                _ = CloseQuietlyAsync(connection, new Error
                {
                    Condition = ErrorCondition.ResourceLimitExceeded,
                    Description = $"Node '{message.Origin}' advertises {count} addresses, over max-addresses-per-peer {max} of node '{NodeId}'.",
                });
            }
        }
        else if (_overAddressLimit.Add(message.Origin))
        {
            Log.AddressLimitRelayed(_logger, NodeId, message.Origin, rc.PeerId ?? rc.Description, count, max);
        }

        return false;
    }

    /// <summary>The size of the set an incremental record leaves (as <see cref="AddressMessage.ApplyTo"/> would build it).</summary>
    private static int CountAfter(IReadOnlyDictionary<string, int>? stored, AddressMessage message)
    {
        if (stored is null)
        {
            return message.Added.Count;
        }

        var count = stored.Count;
        foreach (var address in message.Removed)
        {
            if (stored.ContainsKey(address) && !message.Added.ContainsKey(address))
            {
                count--;
            }
        }

        foreach (var address in message.Added.Keys)
        {
            if (!stored.ContainsKey(address))
            {
                count++;
            }
        }

        return count;
    }
}
