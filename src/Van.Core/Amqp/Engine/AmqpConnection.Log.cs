using Microsoft.Extensions.Logging;

namespace Van.Core.Amqp.Engine;

public sealed partial class AmqpConnection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Refused protocol header {Header}")]
        public static partial void BadProtocolHeader(ILogger logger, string header);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "SASL {Mechanism} authentication failed")]
        public static partial void SaslFailed(ILogger logger, string mechanism);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Closing the connection: {Condition} {Description}")]
        public static partial void ProtocolError(ILogger logger, string condition, string description);

        [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "The peer closed the connection with {Condition} {Description}")]
        public static partial void RemoteClosedWithError(ILogger logger, string condition, string? description);

        [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "The peer dropped the connection without a close")]
        public static partial void TransportClosed(ILogger logger);

        [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "The transport failed")]
        public static partial void TransportFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Internal error while handling a frame")]
        public static partial void InternalError(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Disposing the transport failed")]
        public static partial void TransportDisposeFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "A delivery outcome sink failed")]
        public static partial void SinkFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "{Reason}")]
        public static partial void TlsHandshakeFailed(ILogger logger, string reason);
    }
}
