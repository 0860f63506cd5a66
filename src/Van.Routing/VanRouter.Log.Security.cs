using Microsoft.Extensions.Logging;

namespace Van.Routing;

/// <summary>Log messages of listeners, TLS, SASL, admission and limits: event ids 200-229.</summary>
public sealed partial class VanRouter
{
    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Information, "Node {NodeId}: listener {Listener} admits {Roles}, TLS {Tls}, SASL {Mechanisms}")]
        public static partial void ListenerSecurity(ILogger logger, string nodeId, string listener, string roles, bool tls, string mechanisms);

        [LoggerMessage(201, LogLevel.Warning, "Node {NodeId}: listener {Listener} holds its limit of {Max} connections; closing new ones (from {Remote}) until one ends")]
        public static partial void ListenerFull(ILogger logger, string nodeId, string listener, int max, string remote);

        [LoggerMessage(202, LogLevel.Debug, "Node {NodeId}: listener {Listener} is full; closed a connection from {Remote}")]
        public static partial void ListenerStillFull(ILogger logger, string nodeId, string listener, string remote);

        [LoggerMessage(203, LogLevel.Warning, "Node {NodeId}: refused a TLS connection from {Remote} on {Listener}: {Reason}")]
        public static partial void TlsAcceptFailed(ILogger logger, string nodeId, string listener, string remote, string reason);

        [LoggerMessage(211, LogLevel.Debug, "Node {NodeId}: refused a TLS connection from {Remote} on {Listener} again: {Reason}")]
        public static partial void TlsAcceptFailedAgain(ILogger logger, string nodeId, string listener, string remote, string reason);

        [LoggerMessage(204, LogLevel.Warning, "Node {NodeId}: SASL authentication from {Remote} on {Listener} failed: {Reason}")]
        public static partial void AuthenticationFailed(ILogger logger, string nodeId, string listener, string remote, string reason);

        [LoggerMessage(205, LogLevel.Warning, "Node {NodeId}: TLS with {Endpoint} failed (retrying with backoff): {Reason}")]
        public static partial void TlsConnectFailed(ILogger logger, string nodeId, string endpoint, string reason);

        [LoggerMessage(206, LogLevel.Warning, "Node {NodeId}: {Endpoint} refused this node (retrying with backoff): {Reason}")]
        public static partial void ConnectRefused(ILogger logger, string nodeId, string endpoint, string reason);

        [LoggerMessage(207, LogLevel.Warning, "Node {NodeId}: refused connection {Connection} (identity {Identity}): {Reason}")]
        public static partial void ConnectionRefused(ILogger logger, string nodeId, string connection, string identity, string reason);

        [LoggerMessage(208, LogLevel.Information, "Node {NodeId}: node {Peer} authenticated as '{Subject}' (SASL {Mechanism}, {Connection})")]
        public static partial void NodeAuthenticated(ILogger logger, string nodeId, string peer, string subject, string mechanism, string connection);

        [LoggerMessage(209, LogLevel.Warning, "Node {NodeId}: neighbour {Peer} advertises {Count} addresses, over the limit of {Max}; disconnecting it")]
        public static partial void AddressLimitNeighbour(ILogger logger, string nodeId, string peer, int count, int max);

        [LoggerMessage(210, LogLevel.Warning, "Node {NodeId}: ignoring node {Origin}'s addresses (relayed by {Peer}): {Count}, over the limit of {Max}")]
        public static partial void AddressLimitRelayed(ILogger logger, string nodeId, string origin, string peer, int count, int max);
    }
}
