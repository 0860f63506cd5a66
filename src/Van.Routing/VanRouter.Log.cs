using Microsoft.Extensions.Logging;

namespace Van.Routing;

public sealed partial class VanRouter
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Node {NodeId} listening on {Endpoint}")]
        public static partial void Listening(ILogger logger, string nodeId, string endpoint);

        [LoggerMessage(2, LogLevel.Warning, "Node {NodeId}: accepting a connection failed")]
        public static partial void AcceptFailed(ILogger logger, string nodeId, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Node {NodeId}: handshake with {Peer} failed: {Reason}")]
        public static partial void HandshakeFailed(ILogger logger, string nodeId, string peer, string reason);

        [LoggerMessage(4, LogLevel.Debug, "Node {NodeId}: connecting to {Peer} failed: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string nodeId, string peer, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Node {NodeId}: {Peer} is not a Van node; closing")]
        public static partial void NotANode(ILogger logger, string nodeId, string peer);

        [LoggerMessage(6, LogLevel.Warning, "Node {NodeId}: a peer at {Peer} claims this node's id; closing")]
        public static partial void SameId(ILogger logger, string nodeId, string peer);

        [LoggerMessage(7, LogLevel.Information, "Node {NodeId}: neighbour {Neighbour} up (cost {Cost}, {Connection})")]
        public static partial void NeighbourConnected(ILogger logger, string nodeId, string neighbour, int cost, string connection);

        [LoggerMessage(8, LogLevel.Information, "Node {NodeId}: neighbour {Neighbour} down: {Reason}")]
        public static partial void NeighbourDisconnected(ILogger logger, string nodeId, string neighbour, string reason);

        [LoggerMessage(9, LogLevel.Warning, "Node {NodeId}: neighbour {Neighbour} declared dead: {Reason}")]
        public static partial void NeighbourLost(ILogger logger, string nodeId, string neighbour, string reason);

        [LoggerMessage(10, LogLevel.Error, "Node {NodeId}: handling control event {Kind} failed")]
        public static partial void ControlEventFailed(ILogger logger, string nodeId, string kind, Exception exception);

        [LoggerMessage(11, LogLevel.Warning, "Node {NodeId}: malformed control message from {Peer}: {Reason}")]
        public static partial void BadControlMessage(ILogger logger, string nodeId, string peer, string reason);

        [LoggerMessage(12, LogLevel.Debug, "Node {NodeId}: a message to {Address} came back around; released")]
        public static partial void LoopDetected(ILogger logger, string nodeId, string address);

        [LoggerMessage(13, LogLevel.Debug, "Node {NodeId}: no route to {Address}")]
        public static partial void NoRoute(ILogger logger, string nodeId, string address);

        [LoggerMessage(14, LogLevel.Debug, "Node {NodeId}: re-routing a retryable message to {Address}: {Reason}")]
        public static partial void Retrying(ILogger logger, string nodeId, string address, string reason);

        [LoggerMessage(15, LogLevel.Error, "Node {NodeId}: routing a message to {Address} failed")]
        public static partial void ForwardFailed(ILogger logger, string nodeId, string address, Exception exception);
    }
}
