using Microsoft.Extensions.Logging;

namespace Van.Internal;

/// <summary>Van.Hosting's log messages; event ids 2000–2099.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Van node '{NodeId}' (site '{Site}') started: listening on [{Listeners}], linking to [{Links}], serving [{Services}]")]
    public static partial void Started(ILogger logger, string nodeId, string site, string listeners, string links, string services);

    [LoggerMessage(2001, LogLevel.Information, "Van node '{NodeId}' stopping: withdrew its services, draining {Handlers} running handlers and {Calls} waiting calls")]
    public static partial void Draining(ILogger logger, string nodeId, int handlers, int calls);

    [LoggerMessage(2002, LogLevel.Warning, "Van node '{NodeId}' left with {Handlers} handlers and {Calls} calls still running after the drain timeout")]
    public static partial void DrainTimedOut(ILogger logger, string nodeId, int handlers, int calls);

    [LoggerMessage(2003, LogLevel.Information, "Van node '{NodeId}' stopped")]
    public static partial void Stopped(ILogger logger, string nodeId);

    [LoggerMessage(2010, LogLevel.Warning, "The handler of '{Address}' on node '{NodeId}' threw; the caller gets a VanRemoteException")]
    public static partial void HandlerFailed(ILogger logger, string address, string nodeId, Exception exception);

    [LoggerMessage(2011, LogLevel.Warning, "Node '{NodeId}' could not read a message for '{Address}': {Reason}")]
    public static partial void BadMessage(ILogger logger, string nodeId, string address, string reason);

    [LoggerMessage(2012, LogLevel.Debug, "Node '{NodeId}' dropped a reply nobody waits for (correlation id {CorrelationId}): its call was cancelled or timed out")]
    public static partial void LateReply(ILogger logger, string nodeId, string correlationId);

    [LoggerMessage(2013, LogLevel.Debug, "Node '{NodeId}' could not deliver a reply to '{ReplyTo}': {Reason}")]
    public static partial void ReplyLost(ILogger logger, string nodeId, string replyTo, string reason);
}
