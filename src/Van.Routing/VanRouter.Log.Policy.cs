using Microsoft.Extensions.Logging;

namespace Van.Routing;

/// <summary>Log messages of export/import policy and client access: event ids 1300-1349.</summary>
public sealed partial class VanRouter
{
    private static partial class Log
    {
        [LoggerMessage(1300, LogLevel.Information, "Node {NodeId}: policy {Policy}")]
        public static partial void PolicyInEffect(ILogger logger, string nodeId, string policy);

        [LoggerMessage(1301, LogLevel.Warning, "Node {NodeId}: ignoring {Address} advertised by node {Origin} (site {Site}): this node's import policy does not accept it from there")]
        public static partial void ImportRefused(ILogger logger, string nodeId, string address, string origin, string site);

        [LoggerMessage(1302, LogLevel.Debug, "Node {NodeId}: refused a message for {Address} from ingress node {Ingress}: not exported to it")]
        public static partial void ExportRefused(ILogger logger, string nodeId, string address, string ingress);

        [LoggerMessage(1303, LogLevel.Debug, "Node {NodeId}: released a message for {Address} from ingress node {Ingress}, whose site is not known yet")]
        public static partial void ExportUndecided(ILogger logger, string nodeId, string address, string ingress);

        [LoggerMessage(1304, LogLevel.Debug, "Node {NodeId}: refused client {Client} access to {Address}: {Reason}")]
        public static partial void ClientRefused(ILogger logger, string nodeId, string client, string address, string reason);
    }
}
