using System.Text.Json;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing.Internal;

namespace Van.Routing;

public sealed partial class VanRouter
{
    /// <summary>
    /// This node's view of the network: nodes, links with costs, addresses and the nodes serving them. Only addresses
    /// this node's clients may reach (<see cref="VanPolicy.ClientAddresses"/>) are listed: the report is for clients,
    /// and an address hidden from them stays unnamed here too.
    /// </summary>
    internal StatusReport BuildStatus()
    {
        var snapshot = _snapshot;
        var policy = Policy;
        var report = new StatusReport { Node = NodeId, Site = _options.Site };
        var addresses = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var node in snapshot.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal))
        {
            var entry = new StatusNode
            {
                Id = node.NodeId,
                Site = node.Site,
                Reachable = node.Reachable,
                Cost = node.Cost,
                NextHop = snapshot.TryGetRoute(node.NodeId, out var hop, out _) ? hop : null,
                Links = new Dictionary<string, int>(node.Neighbours),
            };
            report.Nodes.Add(entry);
            if (node.Reachable && node.NodeId != NodeId)
            {
                foreach (var address in node.Addresses.Keys)
                {
                    Add(addresses, address, node.NodeId);
                }
            }
        }

        foreach (var address in _local.Addresses)
        {
            if (Advertised(address))
            {
                Add(addresses, address, NodeId);
            }
        }

        report.Addresses = [.. addresses.Select(a => new StatusAddress { Address = a.Key, Nodes = [.. a.Value] })];
        foreach (var rc in _connections.Keys.OrderBy(c => c.Description, StringComparer.Ordinal))
        {
            if (rc.Connection is not { } connection || rc.IsClosed)
            {
                continue;
            }

            report.Connections.Add(new StatusConnection
            {
                Connection = rc.Description,
                Kind = rc.Kind switch
                {
                    ConnectionKind.InterNode => "inter-node",
                    ConnectionKind.Client => "client",
                    ConnectionKind.Refused => "refused",
                    _ => "unknown",
                },
                Peer = rc.PeerId,
                Tls = connection.Transport.IsSecure,
                Sasl = connection.SaslMechanism,
                Identity = connection.AuthenticatedUser,
                Certificate = connection.RemoteCertificate?.Subject,
            });
        }

        return report;

        void Add(SortedDictionary<string, SortedSet<string>> map, string address, string node)
        {
            if (!policy.ClientsReachAll && !policy.ClientAddresses.IsMatch(address))
            {
                return;
            }

            if (!map.TryGetValue(address, out var set))
            {
                map[address] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(node);
        }
    }

    private ValueTask<DeliveryState> HandleStatusAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        byte[]? reply;
        try
        {
            var json = JsonSerializer.Serialize(BuildStatus(), StatusJsonContext.Default.StatusReport);
            using var body = new AmqpBuffer(json.Length + 16);
            new AmqpWriter(body).WriteDescriptor(Descriptors.AmqpValue);
            new AmqpWriter(body).WriteString(json);
            reply = RequestReply.Build(message.Span, null, body.WrittenSpan);
        }
        catch (AmqpDecodeException e)
        {
            return ValueTask.FromResult<DeliveryState>(new Rejected { Error = new Error { Condition = ErrorCondition.DecodeError, Description = e.Message } });
        }

        if (reply is not null)
        {
            _ = SendAsync(reply, cancellationToken);
        }

        return ValueTask.FromResult<DeliveryState>(Accepted.Instance);
    }
}
